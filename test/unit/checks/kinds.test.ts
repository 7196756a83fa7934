import assert from "node:assert/strict";
import { runChecks } from "../../../src/checks/index.js";
import { crdDoc, doc, where } from "./fixtures.js";

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
    const findings = runChecks(known.map(([v, k]) => object(v, k)));
    assert.deepEqual(findings, []);
  });

  it("reports unknown kinds unless told to ignore them", () => {
    const documents = [object("example.com/v1", "Widget"), object("v1", "Configmap")];
    assert.deepEqual(where(runChecks(documents), "unknown-kind"), [
      ["x.yaml", "/kind"],
      ["x.yaml", "/kind"],
    ]);
    assert.deepEqual(runChecks(documents, { ignoreUnknownKinds: true }), []);
  });

  it("knows kinds that a CRD among the documents defines, at its served versions", () => {
    const crd = crdDoc({ versions: [{ name: "v1" }, { name: "v2", served: false }] });
    const findings = runChecks([
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
    const findings = runChecks([
      object("apps/v1beta1", "Deployment"),
      object("kube-bind.io/v1alpha1", "APIServiceExportTemplate"),
    ]);
    assert.deepEqual(where(findings, "unknown-version"), [
      ["x.yaml", "/apiVersion"],
      ["x.yaml", "/apiVersion"],
    ]);
  });
});
