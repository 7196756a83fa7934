import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { sharedDir } from "../support/repo-root.js";
import { runCli } from "../support/run-cli.js";

const upstream = (() => {
  const shared = sharedDir();
  const dir = shared && path.join(shared, "reference", "kube-bind");
  return dir && existsSync(dir) ? dir : undefined;
})();

interface JsonFinding {
  severity: "error" | "warning";
  rule: string;
  message: string;
  file: string;
}

async function validateJson(
  ...paths: string[]
): Promise<{ code: number | null; findings: JsonFinding[] }> {
  const result = await runCli(["validate", ...paths, "-o", "json"], { cwd: upstream! });
  const parsed = JSON.parse(result.stdout) as { findings: JsonFinding[] };
  return { code: result.code, findings: parsed.findings };
}

(upstream ? describe : describe.skip)(
  `interop: bindops validate on upstream kube-bind's CRDs and examples${
    upstream ? "" : " (skipped: ../shared/reference/kube-bind is absent)"
  }`,
  function () {
    this.timeout(60_000);

    it("passes the upstream CRDs and examples with exit 0 (committed Secrets are warnings)", async () => {
      const { code, findings } = await validateJson("crds", "examples");
      const errors = findings.filter((f) => f.severity === "error");
      assert.deepEqual(errors, [], JSON.stringify(errors, null, 2));
      assert.equal(code, 0);
      const secrets = findings.filter((f) => f.rule === "plain-secret").map((f) => f.file);
      assert.deepEqual([...new Set(secrets)].sort(), [
        "examples/cr-cowboy.yaml",
        "examples/cr-sheriff.yaml",
      ]);
    });

    describe("docs-examples, as SOURCE.md describes them", () => {
      let byFile: Map<string, JsonFinding[]>;
      before(async () => {
        const { code, findings } = await validateJson("docs-examples");
        assert.equal(code, 2);
        byFile = new Map();
        for (const f of findings) {
          const name = path.basename(f.file);
          byFile.set(name, [...(byFile.get(name) ?? []), f]);
        }
      });
      const schemaErrors = (file: string) =>
        (byFile.get(file) ?? []).filter((f) => f.rule === "schema" && f.severity === "error");
      const rules = (file: string) =>
        [...new Set((byFile.get(file) ?? []).map((f) => f.rule))].sort();

      it("01 fails the schema: spec.namespaces[].description is not a field", () => {
        assert.deepEqual(
          schemaErrors("01-apiserviceexporttemplate-structure.yaml").map((f) => f.message),
          ['unknown field "spec.namespaces[0].description"'],
        );
      });

      it("02 (TABs in comments) is valid YAML 1.2 and a valid APIServiceExport", () => {
        assert.deepEqual(schemaErrors("02-apiserviceexport-structure.yaml"), []);
        assert.ok(!rules("02-apiserviceexport-structure.yaml").some((r) => r.startsWith("yaml-")));
      });

      it("03 fails: v1alpha1 has no permissionClaims, and `group: core` is not claimable", () => {
        const file = "03-apiserviceexportrequest-structure.yaml";
        assert.deepEqual(
          schemaErrors(file).map((f) => f.message),
          ['unknown field "spec.permissionClaims"'],
        );
        assert.ok(rules(file).includes("claim-not-claimable"));
      });

      it("04 is a valid v1alpha2 APIServiceBinding", () => {
        assert.deepEqual(byFile.get("04-apiservicebinding-with-permissionclaims.yaml") ?? [], []);
      });

      for (const file of [
        "05-permissionclaim-labelselector.yaml",
        "06-permissionclaim-namedresources.yaml",
        "07-permissionclaim-references.yaml",
      ]) {
        it(`${file.slice(0, 2)} is a fragment, not an object`, () => {
          assert.deepEqual(rules(file), ["missing-type-meta"]);
        });
      }

      for (const file of [
        "08-integration-cert-manager-template.yaml",
        "09-integration-cloudnativepg-template.yaml",
        "10-integration-crossplane-template.yaml",
        "11-integration-kro-template.yaml",
      ]) {
        it(`${file.slice(0, 2)} is a valid template whose CRD is not among the files`, () => {
          assert.deepEqual(schemaErrors(file), []);
          const errors = (byFile.get(file) ?? []).filter((f) => f.severity === "error");
          assert.deepEqual(
            errors.map((f) => f.rule),
            ["template-missing-crd"],
          );
        });
      }
    });
  },
);
