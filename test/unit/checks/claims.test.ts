import assert from "node:assert/strict";
import { runChecks } from "../../../src/checks/index.js";
import {
  bindingDoc,
  crdDoc,
  messageOf,
  referenceToSecretName,
  repositoryDoc,
  secretsClaim,
  templateDoc,
  where,
} from "./fixtures.js";

const template = "providers/provider/templates/databases.yaml";
const binding = "consumers/consumer/bindings/orders-db.yaml";
const labels = { labelSelector: { matchLabels: { app: "db" } } };

/** Findings for a template with these claims, next to its CRD. */
const checkTemplateClaims = (claims: unknown[], crd = crdDoc()) =>
  runChecks([repositoryDoc(), crd, templateDoc({ claims })]);

/** A template claiming Secrets through one reference, and the findings. */
const checkReference = (reference: Record<string, unknown>, crd = crdDoc()) =>
  checkTemplateClaims([secretsClaim({ references: [reference] })], crd);

const referencePointer = "/spec/permissionClaims/0/selector/references/0";

describe("claim checks", () => {
  it("reports claims on resources kube-bind cannot claim, on templates and bindings", () => {
    const claims = [
      { group: "apps", resource: "deployments", selector: labels },
      { group: "core", resource: "secrets", selector: labels },
      { group: "", resource: "configmaps", selector: labels },
      { group: "", resource: "serviceaccounts", selector: labels },
    ];
    const findings = runChecks([
      repositoryDoc(),
      crdDoc(),
      templateDoc({ claims }),
      bindingDoc({ claims: [claims[0]] }),
    ]);
    assert.deepEqual(where(findings, "claim-not-claimable"), [
      [template, "/spec/permissionClaims/0"],
      [template, "/spec/permissionClaims/1"],
      [binding, "/spec/permissionClaims/0"],
    ]);
    assert.match(
      findings.filter((f) => f.rule === "claim-not-claimable")[1]!.message,
      /core group is written group: ""/,
    );
  });

  it("reports a second claim for the same group and resource", () => {
    const findings = checkTemplateClaims([secretsClaim(labels), secretsClaim(labels)]);
    assert.deepEqual(where(findings, "claim-duplicate"), [[template, "/spec/permissionClaims/1"]]);
    assert.deepEqual(where(checkTemplateClaims([secretsClaim(labels)]), "claim-duplicate"), []);
  });

  it("warns about a selector with no branch, which selects nothing", () => {
    const findings = checkTemplateClaims([
      secretsClaim({}),
      { group: "", resource: "configmaps", selector: { namedResources: [], labelSelector: null } },
    ]);
    assert.deepEqual(where(findings, "claim-empty-selector"), [
      [template, "/spec/permissionClaims/0/selector"],
      [template, "/spec/permissionClaims/1/selector"],
    ]);
    // labelSelector: {} is not empty: it selects every object.
    assert.deepEqual(
      where(checkTemplateClaims([secretsClaim({ labelSelector: {} })]), "claim-empty-selector"),
      [],
    );
  });

  it("reports label selectors kube-bind cannot convert", () => {
    const findings = checkTemplateClaims([
      secretsClaim({
        labelSelector: {
          matchLabels: { "bad key!": "x", app: "not a value" },
          matchExpressions: [
            { key: "a", operator: "Exists", values: ["x"] },
            { key: "b", operator: "In", values: [] },
            { key: "c", operator: "Like", values: ["x"] },
            { key: "d", operator: "NotIn", values: ["ok", "-bad"] },
            { key: "e", operator: "DoesNotExist" },
          ],
        },
      }),
    ]);
    const at = "/spec/permissionClaims/0/selector/labelSelector";
    assert.deepEqual(where(findings, "claim-invalid-label-selector"), [
      [template, `${at}/matchLabels/bad key!`],
      [template, `${at}/matchLabels/app`],
      [template, `${at}/matchExpressions/0/values`],
      [template, `${at}/matchExpressions/1`],
      [template, `${at}/matchExpressions/2/operator`],
      [template, `${at}/matchExpressions/3/values/1`],
    ]);
  });

  describe("references", () => {
    it("accepts a reference to an exported resource whose paths exist", () => {
      assert.deepEqual(checkReference(referenceToSecretName), []);
    });

    it("reports a reference from a resource the template does not export", () => {
      const findings = checkReference({ ...referenceToSecretName, resource: "backups" });
      assert.deepEqual(where(findings, "claim-reference-not-exported"), [
        [template, referencePointer],
      ]);
    });

    it("allows any referencing resource for a binding with isolation None", () => {
      const reference = { ...referenceToSecretName, resource: "backups" };
      const claim = secretsClaim({ references: [reference] });
      const templateClaims = [secretsClaim({ references: [reference] })];
      const documents = (isolation: string) => [
        repositoryDoc(),
        crdDoc(),
        templateDoc({ claims: templateClaims }),
        bindingDoc({ isolation, claims: [claim] }),
      ];
      const flagged = (isolation: string) =>
        where(runChecks(documents(isolation)), "claim-reference-not-exported").filter(
          ([file]) => file === binding,
        );
      assert.deepEqual(flagged("None"), []);
      assert.deepEqual(flagged("Prefixed"), [[binding, referencePointer]]);
    });

    it("reports a reference without jsonPath.name", () => {
      const findings = checkReference({
        ...referenceToSecretName,
        jsonPath: { name: " ", namespace: "metadata.namespace" },
      });
      assert.deepEqual(where(findings, "claim-reference-missing-name"), [
        [template, `${referencePointer}/jsonPath`],
      ]);
    });

    it("warns that a reference without jsonPath.namespace matches any namespace", () => {
      const reference = { ...referenceToSecretName, jsonPath: { name: "spec.secretName" } };
      const findings = checkReference(reference);
      assert.deepEqual(where(findings, "claim-reference-any-namespace"), [
        [template, `${referencePointer}/jsonPath`],
      ]);
      const documents = (isolation: string) => [
        repositoryDoc(),
        crdDoc(),
        templateDoc({ claims: [secretsClaim({ references: [reference] })] }),
        bindingDoc({ isolation, claims: [secretsClaim({ references: [reference] })] }),
      ];
      const onBinding = (isolation: string) =>
        where(runChecks(documents(isolation)), "claim-reference-any-namespace").filter(
          ([file]) => file === binding,
        );
      assert.deepEqual(onBinding("Namespaced"), []);
      assert.deepEqual(onBinding("Prefixed"), [[binding, `${referencePointer}/jsonPath`]]);
      assert.match(
        messageOf(runChecks(documents("None")), "claim-reference-any-namespace"),
        /any namespace/,
      );
    });

    it("reports versions that do not resolve", () => {
      const crd = crdDoc({ versions: [{ name: "v1" }, { name: "v2", served: false }] });
      const findings = checkReference({ ...referenceToSecretName, versions: ["v1", "v2"] }, crd);
      assert.deepEqual(where(findings, "claim-reference-version-unknown"), [
        [template, `${referencePointer}/versions/1`],
      ]);
      const none = runChecks([
        crdDoc(),
        templateDoc({
          resources: [{ group: "example.com", resource: "databases" }],
          claims: [secretsClaim({ references: [referenceToSecretName] })],
        }),
      ]);
      assert.deepEqual(where(none, "claim-reference-version-unknown"), [
        [template, referencePointer],
      ]);
      assert.match(messageOf(none, "claim-reference-version-unknown"), /nothing matches/);
    });

    it("reports gjson paths that lead nowhere in the referencing CRD's schema", () => {
      const cases: [string, RegExp][] = [
        ["spec.secretname", /`spec` has no field `secretname`/],
        ["spec.credentialsRef", /leads to an object/],
        ["spec.extraSecrets.name", /write `spec.extraSecrets.#.name`/],
        ["spec.replicas", /leads to an integer/],
        ["spec.secretName.#", /is not a list/],
      ];
      for (const [path, message] of cases) {
        const findings = checkReference({
          ...referenceToSecretName,
          jsonPath: { name: path, namespace: "metadata.namespace" },
        });
        assert.deepEqual(
          where(findings, "claim-reference-path-unknown"),
          [[template, `${referencePointer}/jsonPath/name`]],
          path,
        );
        assert.match(messageOf(findings, "claim-reference-path-unknown"), message);
      }
      const badNamespace = checkReference({
        ...referenceToSecretName,
        jsonPath: { name: "spec.secretName", namespace: "spec.namespace" },
      });
      assert.deepEqual(where(badNamespace, "claim-reference-path-unknown"), [
        [template, `${referencePointer}/jsonPath/namespace`],
      ]);
    });

    it("accepts paths through lists, maps, metadata and preserve-unknown-fields", () => {
      for (const name of [
        "spec.extraSecrets.#.name",
        "spec.extraSecrets.0.name",
        "spec.credentialsRef.name",
        "spec.parameters.anything.at.all",
        "metadata.name",
        "metadata.labels.secret",
        "spec.extra*", // gjson wildcards are not followed
      ]) {
        const findings = checkReference({
          ...referenceToSecretName,
          jsonPath: { name, namespace: "metadata.namespace" },
        });
        assert.deepEqual(where(findings, "claim-reference-path-unknown"), [], name);
      }
    });

    it("checks paths into metadata against ObjectMeta's fields, with or without the CRD", () => {
      const typos: [string, string, RegExp][] = [
        ["name", "metadata.nme", /`metadata` has no field `nme`/],
        ["namespace", "metadata.namespac", /`metadata` has no field `namespac`/],
        ["namespace", "metadata.labels", /leads to an object/],
        ["name", "metadata.ownerReferences.name", /write `metadata.ownerReferences.#.name`/],
        ["name", "metadata.generation.x", /has no field `x`/],
      ];
      for (const [field, path, message] of typos) {
        const jsonPath = {
          name: "spec.secretName",
          namespace: "metadata.namespace",
          [field]: path,
        };
        for (const [crd, what] of [
          [crdDoc(), "with its CRD"],
          [repositoryDoc(), "without its CRD"],
        ] as const) {
          const findings = checkReference({ ...referenceToSecretName, jsonPath }, crd);
          assert.deepEqual(
            where(findings, "claim-reference-path-unknown"),
            [[template, `${referencePointer}/jsonPath/${field}`]],
            `${path} ${what}`,
          );
          assert.match(messageOf(findings, "claim-reference-path-unknown"), message);
        }
      }
      for (const path of [
        "metadata.namespace",
        "metadata.name",
        "metadata.annotations.example\\.com/secret",
        "metadata.ownerReferences.#.name",
        "metadata.finalizers",
      ]) {
        const jsonPath = { name: path, namespace: "metadata.namespace" };
        const findings = checkReference({ ...referenceToSecretName, jsonPath }, repositoryDoc());
        assert.deepEqual(where(findings, "claim-reference-path-unknown"), [], path);
      }
    });

    it("checks a binding's references against its template's CRD", () => {
      const reference = {
        ...referenceToSecretName,
        jsonPath: { name: "spec.nope", namespace: "metadata.namespace" },
      };
      const findings = runChecks([
        repositoryDoc(),
        crdDoc(),
        templateDoc(),
        bindingDoc({ claims: [secretsClaim({ references: [reference] })] }),
      ]);
      assert.deepEqual(where(findings, "claim-reference-path-unknown"), [
        [binding, `${referencePointer}/jsonPath/name`],
      ]);
    });
  });
});
