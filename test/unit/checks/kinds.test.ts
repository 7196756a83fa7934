import assert from "node:assert/strict";
import { runChecks } from "../../../src/checks/index.js";
import type { ManifestDocument } from "../../../src/core/manifest.js";
import { createSchemaRegistry } from "../../../src/schema/schema-registry.js";
import { validateDocuments } from "../../../src/schema/validate-documents.js";
import { crdDoc, doc, where } from "./fixtures.js";

/**
 * Kinds and versions are decided by the schema stage alone (the registry knows every built-in
 * kind and every CRD's served versions); the checks report only documents that say no type.
 */
const kindFindings = (
  documents: readonly ManifestDocument[],
  options: { ignoreUnknownKinds?: boolean } = {},
) =>
  validateDocuments(documents, createSchemaRegistry(), {
    unknownKinds: options.ignoreUnknownKinds ? "ignore" : "error",
  }).filter((f) => f.rule === "unknown-kind" || f.rule === "unknown-version");

const object = (apiVersion: unknown, kind: unknown) =>
  doc("x.yaml", { apiVersion, kind, metadata: { name: "x" } });

describe("kind checks", () => {
  it("reports documents without apiVersion or kind", () => {
    const findings = runChecks([
      doc("a.yaml", { metadata: { name: "a" } }),
      object("v1", ""),
      object(3, "ConfigMap"),
    ]);
    assert.deepEqual(where(findings, "missing-type-meta"), [
      ["a.yaml", ""],
      ["x.yaml", "/kind"],
      ["x.yaml", "/apiVersion"],
    ]);
  });

  it("knows built-in, kube-bind and bindops kinds", () => {
    const known = [
      ["v1", "ConfigMap"],
      ["apps/v1", "Deployment"],
      ["rbac.authorization.k8s.io/v1", "ClusterRole"],
      ["apiextensions.k8s.io/v1", "CustomResourceDefinition"],
      ["kube-bind.io/v1alpha2", "APIServiceExportTemplate"],
      ["kube-bind.io/v1alpha1", "APIServiceExportRequest"],
      ["bindops.dev/v1alpha1", "ClaimPolicy"],
    ];
    const documents = known.map(([v, k]) => object(v, k));
    assert.deepEqual(runChecks(documents), []);
    assert.deepEqual(kindFindings(documents), []);
  });

  it("reports unknown kinds unless told to ignore them", () => {
    const documents = [object("example.com/v1", "Widget"), object("v1", "Configmap")];
    assert.deepEqual(where(kindFindings(documents), "unknown-kind"), [
      ["x.yaml", "/kind"],
      ["x.yaml", "/kind"],
    ]);
    assert.deepEqual(kindFindings(documents, { ignoreUnknownKinds: true }), []);
    assert.deepEqual(runChecks(documents), [], "the checks do not decide kinds a second time");
  });

  it("knows kinds that a CRD among the documents defines, at its served versions", () => {
    const crd = crdDoc({ versions: [{ name: "v1" }, { name: "v2", served: false }] });
    const findings = kindFindings([
      crd,
      object("example.com/v1", "Database"),
      object("example.com/v2", "Database"),
      object("example.com/v3", "Database"),
    ]);
    assert.deepEqual(where(findings, "unknown-kind"), []);
    assert.deepEqual(where(findings, "unknown-version"), [
      ["x.yaml", "/apiVersion"],
      ["x.yaml", "/apiVersion"],
    ]);
    assert.match(findings.find((f) => f.rule === "unknown-version")!.message, /serves: v1\)/);
  });

  it("reports a built-in kind at a version that is not served", () => {
    // Kubernetes's own kinds are known at every version kubernetes-models publishes a schema
    // for (apps/v1beta1 among them); kube-bind's at the versions kube-bind serves.
    const findings = kindFindings([
      object("apps/v1beta1", "Deployment"),
      object("apps/v1beta9", "Deployment"),
      object("kube-bind.io/v1alpha1", "APIServiceExportTemplate"),
    ]);
    assert.deepEqual(where(findings, "unknown-version"), [["x.yaml", "/apiVersion"]]);
    // A version no schema is published for is refused too (as a kind unknown at that version).
    assert.deepEqual(where(findings, "unknown-kind"), [["x.yaml", "/kind"]]);
  });
});
