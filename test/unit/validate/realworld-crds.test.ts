import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { readFolderSnapshot } from "../../../src/git/read-folder-snapshot.js";
import { validate } from "../../../src/validate/validate.js";
import { repoRoot } from "../../support/repo-root.js";
import { tempRepo } from "../manifests/temp-repo.js";

const certificatesCrd = path.resolve(
  repoRoot,
  "../shared/reference/realworld/cert-manager/cert-manager.io_certificates.yaml",
);

const certificate = (dnsName: string) => `apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web, namespace: apps}
spec:
  secretName: web-tls
  dnsNames: [${dnsName}]
  issuerRef: {name: letsencrypt, kind: ClusterIssuer}
`;

describe("validate on a Flux layout with cert-manager's CRD in each cluster's folder", () => {
  it("exits clean: the same CRD twice is one definition, the Certificates differ per cluster", async function () {
    if (!existsSync(certificatesCrd)) {
      console.log(`    (skipped: ${certificatesCrd} is not on this machine)`);
      this.skip();
    }
    const crd = readFileSync(certificatesCrd, "utf8");
    const repo = tempRepo({
      "clusters/staging/crds/certificates.yaml": crd,
      "clusters/staging/kustomization.yaml": "resources: [crds/certificates.yaml, web.yaml]\n",
      "clusters/staging/web.yaml": certificate("staging.example.com"),
      "clusters/production/crds/certificates.yaml": crd,
      "clusters/production/kustomization.yaml": "resources: [crds/certificates.yaml, web.yaml]\n",
      "clusters/production/web.yaml": certificate("example.com"),
    });
    try {
      const report = await validate(readFolderSnapshot(repo.root), { toolVersion: "test" });
      assert.deepEqual(
        report.findings.filter((f) => f.severity === "error").map((f) => f.message),
        [],
      );
      assert.deepEqual(
        report.findings.map((f) => `${f.rule}: ${f.message}`),
        [
          "duplicate-object-elsewhere: Certificate apps/web is also defined at clusters/production/web.yaml:1, with other contents; an error if both are applied to one cluster",
        ],
      );
    } finally {
      repo.remove();
    }
  });
});
