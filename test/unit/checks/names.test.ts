import assert from "node:assert/strict";
import { runChecks } from "../../../src/checks/index.js";
import { typicalClusterNamespaceLength } from "../../../src/checks/check-names.js";
import { bindingDoc, crdDoc, repositoryDoc, templateDoc, where } from "./fixtures.js";

const binding = "consumers/consumer/bindings/orders-db.yaml";
const template = "providers/provider/templates/databases.yaml";
const check = (options: Parameters<typeof bindingDoc>[0], templateNamespaces?: string[]) =>
  runChecks([
    repositoryDoc(),
    crdDoc(),
    templateDoc(templateNamespaces ? { namespaces: templateNamespaces } : {}),
    bindingDoc(options),
  ]);

describe("name checks", () => {
  it("reports an isolation kube-bind does not know", () => {
    assert.deepEqual(where(check({ isolation: "Prefix" }), "binding-invalid-isolation"), [
      [binding, "/spec/isolation"],
    ]);
    for (const isolation of ["Prefixed", "Namespaced", "None"]) {
      assert.deepEqual(where(check({ isolation }), "binding-invalid-isolation"), [], isolation);
    }
  });

  it("reports binding and template names that are not DNS-1123 subdomains", () => {
    const findings = runChecks([
      repositoryDoc(),
      crdDoc(),
      templateDoc({ name: "Databases_v1" }),
      bindingDoc({ name: "orders.db", template: "Databases_v1" }),
      bindingDoc({ name: "-orders" }, "consumers/consumer/bindings/other.yaml"),
    ]);
    assert.deepEqual(where(findings, "name-invalid"), [
      [template, "/metadata/name"],
      ["consumers/consumer/bindings/other.yaml", "/metadata/name"],
    ]);
  });

  it("reports namespace names that are not DNS labels", () => {
    const findings = check({ namespaces: ["orders", "orders.eu"] }, ["Shared"]);
    assert.deepEqual(where(findings, "name-invalid"), [
      [template, "/spec/namespaces/0/name"],
      [binding, "/spec/namespaces/1/name"],
    ]);
  });

  it("warns when <cluster namespace>-<name> would exceed 63 characters, unless isolation None", () => {
    const longest = "n".repeat(62 - typicalClusterNamespaceLength);
    const tooLong = `${longest}x`;
    assert.deepEqual(where(check({ namespaces: [longest] }), "name-too-long"), []);
    assert.deepEqual(where(check({ namespaces: [longest, tooLong] }), "name-too-long"), [
      [binding, "/spec/namespaces/1/name"],
    ]);
    assert.deepEqual(where(check({}, [tooLong]), "name-too-long"), [
      [template, "/spec/namespaces/0/name"],
    ]);
    assert.deepEqual(
      where(check({ isolation: "None", namespaces: [tooLong] }), "name-too-long"),
      [],
    );
    assert.equal(typicalClusterNamespaceLength, 23);
  });

  it("reports a namespace listed twice in a binding, a template or a request", () => {
    const findings = check({ namespaces: ["orders", "billing", "orders"] }, ["shared", "shared"]);
    assert.deepEqual(where(findings, "namespace-duplicate"), [
      [template, "/spec/namespaces/1/name"],
      [binding, "/spec/namespaces/2/name"],
    ]);
    assert.deepEqual(
      where(check({ namespaces: ["orders", "billing"] }), "namespace-duplicate"),
      [],
    );
  });
});
