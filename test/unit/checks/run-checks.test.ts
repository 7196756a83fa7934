import assert from "node:assert/strict";
import { checkRules, runChecks } from "../../../src/checks/index.js";
import {
  bindingDoc,
  cleanRepository,
  crdDoc,
  doc,
  repositoryDoc,
  secretsClaim,
  templateDoc,
} from "./fixtures.js";

describe("runChecks", () => {
  it("finds nothing wrong in a consistent repository", () => {
    assert.deepEqual(runChecks(cleanRepository()), []);
  });

  it("never throws on documents of the wrong shape", () => {
    const odd: unknown[] = [null, 1, "x", [], {}, [1], { a: null }];
    const documents = odd.flatMap((value, i) => [
      doc(`consumers/c/bindings/b${i}.yaml`, {
        apiVersion: "bindops.dev/v1alpha1",
        kind: "ServiceBinding",
        metadata: value,
        spec: { provider: value, consumer: value, template: value, permissionClaims: value },
      }),
      doc(`consumers/c/bindings/c${i}.yaml`, {
        apiVersion: "bindops.dev/v1alpha1",
        kind: "ServiceBinding",
        spec: {
          provider: "provider",
          consumer: "consumer",
          template: "databases",
          permissionClaims: [
            {
              resource: "secrets",
              selector: {
                labelSelector: value,
                namedResources: value,
                references: [value, { resource: "databases", jsonPath: value, versions: value }],
              },
            },
          ],
          namespaces: value,
        },
      }),
      doc(`providers/provider/templates/t${i}.yaml`, {
        apiVersion: "kube-bind.io/v1alpha2",
        kind: "APIServiceExportTemplate",
        metadata: { name: `t${i}` },
        spec: {
          resources: value,
          permissionClaims: [value, { resource: "secrets", selector: value }],
        },
      }),
      doc(`providers/provider/crds/c${i}.yaml`, {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: value, labels: value },
        spec: { group: value, names: value, versions: [value, { name: "v1", schema: value }] },
      }),
      doc(`bindops${i}.yaml`, {
        apiVersion: "bindops.dev/v1alpha1",
        kind: "Repository",
        spec: { clusters: value, paths: value },
      }),
      doc(`x${i}.yaml`, { apiVersion: value, kind: value, data: value }),
    ]);
    assert.doesNotThrow(() => runChecks([...cleanRepository(), ...documents]));
  });

  it("reports each finding with the severity of its rule in checkRules", () => {
    const documents = [
      repositoryDoc(),
      crdDoc({ exported: false }),
      templateDoc({ claims: [{ group: "apps", resource: "deployments", selector: {} }] }),
      bindingDoc({ provider: "nowhere", claims: [secretsClaim({ labelSelector: {} })] }),
      doc("secret.yaml", { apiVersion: "v1", kind: "Secret", data: { a: "Yg==" } }),
    ];
    const findings = runChecks(documents);
    assert.ok(findings.length >= 5);
    const severities = new Map(checkRules.map((rule) => [rule.id as string, rule.severity]));
    for (const finding of findings) {
      assert.equal(finding.severity, severities.get(finding.rule), finding.rule);
    }
  });

  it("lists every rule once, with a kebab-case id, a description and help", () => {
    const ids = checkRules.map((rule) => rule.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const rule of checkRules) {
      assert.match(rule.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.ok(rule.description.length > 20 && rule.help.length > 10, rule.id);
    }
  });
});
