import assert from "node:assert/strict";
import { runChecks } from "../../../src/checks/index.js";
import { bindingDoc, cleanRepository, doc, messageOf, repositoryDoc, where } from "./fixtures.js";

const configMap = (name: string, namespace?: string, apiVersion = "v1") => ({
  apiVersion,
  kind: "ConfigMap",
  metadata: { name, ...(namespace ? { namespace } : {}) },
});

describe("duplicate objects", () => {
  it("reports the second definition of an object in one cluster's folder, naming the first", () => {
    const findings = runChecks([
      repositoryDoc(),
      doc("providers/provider/a.yaml", { ...configMap("settings", "team"), data: { mode: "a" } }),
      doc(
        "providers/provider/b.yaml",
        { ...configMap("settings", "team"), data: { mode: "b" } },
        2,
        14,
      ),
    ]);
    assert.deepEqual(where(findings, "duplicate-object"), [
      ["providers/provider/b.yaml", "/metadata/name"],
    ]);
    assert.match(
      messageOf(findings, "duplicate-object"),
      /ConfigMap team\/settings .*first at providers\/provider\/a.yaml:1/,
    );
  });

  it("only warns about the same object in two files outside bindops's folders, naming both", () => {
    // A Flux-style layout: one folder per cluster, the same objects with other values in each.
    const findings = runChecks([
      repositoryDoc(),
      doc("clusters/staging/app.yaml", { ...configMap("settings", "team"), data: { env: "s" } }),
      doc("clusters/production/app.yaml", { ...configMap("settings", "team"), data: { env: "p" } }),
    ]);
    assert.deepEqual(where(findings, "duplicate-object"), []);
    assert.deepEqual(where(findings, "duplicate-object-elsewhere"), [
      ["clusters/production/app.yaml", "/metadata/name"],
    ]);
    const warning = findings.find((f) => f.rule === "duplicate-object-elsewhere")!;
    assert.equal(warning.severity, "warning");
    assert.match(
      warning.message,
      /ConfigMap team\/settings is also defined at clusters\/staging\/app.yaml:1/,
    );
  });

  it("reports the same object twice in one file anywhere: applying the file collides", () => {
    const findings = runChecks([
      doc("app.yaml", { ...configMap("settings", "team"), data: { mode: "a" } }),
      doc("app.yaml", { ...configMap("settings", "team"), data: { mode: "b" } }, 1, 5),
    ]);
    assert.deepEqual(where(findings, "duplicate-object"), [["app.yaml", "/metadata/name"]]);
  });

  it("tells objects apart by group, kind, namespace and name, not by version", () => {
    const findings = runChecks([
      doc("a.yaml", configMap("settings", "team")),
      doc("b.yaml", configMap("settings", "other")),
      doc("c.yaml", { ...configMap("settings", "team"), kind: "Secret" }),
      doc("d.yaml", configMap("other", "team")),
    ]);
    assert.deepEqual(where(findings, "duplicate-object"), []);
    const versions = runChecks([
      doc("a.yaml", {
        apiVersion: "kube-bind.io/v1alpha1",
        kind: "APIServiceExport",
        metadata: { name: "x", namespace: "n" },
      }),
      doc("b.yaml", {
        apiVersion: "kube-bind.io/v1alpha2",
        kind: "APIServiceExport",
        metadata: { name: "x", namespace: "n" },
      }),
    ]);
    assert.deepEqual(where(versions, "duplicate-object"), [["b.yaml", "/metadata/name"]]);
  });

  it("lets the same contents appear twice, as one object", () => {
    const same = runChecks([
      doc("a.yaml", { apiVersion: "v1", kind: "Namespace", metadata: { name: "wild-west" } }),
      doc("b.yaml", { metadata: { name: "wild-west" }, kind: "Namespace", apiVersion: "v1" }),
    ]);
    assert.deepEqual(where(same, "duplicate-object"), []);
  });

  it("keeps objects of different clusters apart", () => {
    const clusters = {
      p1: { role: "provider" },
      p2: { role: "provider" },
      c1: { role: "consumer" },
      c2: { role: "consumer" },
    };
    const findings = runChecks([
      repositoryDoc(clusters),
      doc("providers/p1/x.yaml", { ...configMap("settings", "team"), data: { a: "1" } }),
      doc("providers/p2/x.yaml", { ...configMap("settings", "team"), data: { a: "2" } }),
      bindingDoc({ consumer: "c1", provider: "p1" }, "consumers/c1/b.yaml"),
      bindingDoc({ consumer: "c2", provider: "p1" }, "consumers/c2/b.yaml"),
    ]);
    assert.deepEqual(where(findings, "duplicate-object"), []);
  });

  it("reports two bindings of one name for the same consumer, in different team folders", () => {
    const findings = runChecks([
      ...cleanRepository(),
      bindingDoc({ isolation: "None" }, "consumers/billing/bindings/orders-db.yaml"),
    ]);
    assert.deepEqual(where(findings, "duplicate-object"), [
      ["consumers/billing/bindings/orders-db.yaml", "/metadata/name"],
    ]);
  });
});
