import assert from "node:assert/strict";
import { runChecks } from "../../../src/checks/index.js";
import {
  bindingDoc,
  cleanRepository,
  crdDoc,
  doc,
  messageOf,
  repositoryDoc,
  templateDoc,
  where,
} from "./fixtures.js";

const binding = "consumers/consumer/bindings/orders-db.yaml";
const template = "providers/provider/templates/databases.yaml";
const crd = "providers/provider/crds/databases.yaml";

describe("cross-reference checks", () => {
  describe("binding → clusters", () => {
    it("reports a provider or consumer that bindops.yaml does not list", () => {
      const findings = runChecks([
        repositoryDoc(),
        crdDoc(),
        templateDoc(),
        bindingDoc({ consumer: "edge" }),
      ]);
      assert.deepEqual(where(findings, "binding-unknown-cluster"), [[binding, "/spec/consumer"]]);
      assert.match(
        messageOf(findings, "binding-unknown-cluster"),
        /consumer cluster "edge" is not in bindops.yaml/,
      );
    });

    it("reports clusters used in the wrong role", () => {
      const findings = runChecks([
        repositoryDoc(),
        crdDoc(),
        templateDoc(),
        bindingDoc(
          { provider: "consumer", consumer: "provider" },
          "consumers/provider/bindings/b.yaml",
        ),
      ]);
      assert.deepEqual(where(findings, "binding-wrong-role"), [
        ["consumers/provider/bindings/b.yaml", "/spec/provider"],
        ["consumers/provider/bindings/b.yaml", "/spec/consumer"],
      ]);
    });

    it("skips cluster checks without bindops.yaml, with one warning", () => {
      const findings = runChecks([crdDoc(), templateDoc(), bindingDoc({ consumer: "edge" })]);
      assert.deepEqual(where(findings, "binding-unknown-cluster"), []);
      assert.deepEqual(where(findings, "repository-missing"), [[binding, ""]]);
      assert.equal(findings.find((f) => f.rule === "repository-missing")?.severity, "warning");
    });

    it("does not ask for bindops.yaml when there are no bindings", () => {
      assert.deepEqual(runChecks([crdDoc(), templateDoc()]), []);
    });
  });

  describe("binding → template", () => {
    it("reports a template the provider does not have", () => {
      const findings = runChecks([
        ...cleanRepository(),
        bindingDoc({ template: "caches" }, "consumers/consumer/bindings/x.yaml"),
      ]);
      assert.deepEqual(where(findings, "binding-unknown-template"), [
        ["consumers/consumer/bindings/x.yaml", "/spec/template"],
      ]);
    });

    it("does not take another provider cluster's template", () => {
      const findings = runChecks([
        repositoryDoc({
          p1: { role: "provider" },
          p2: { role: "provider" },
          consumer: { role: "consumer" },
        }),
        crdDoc({}, "providers/p1/crds/databases.yaml"),
        templateDoc({}, "providers/p1/templates/databases.yaml"),
        crdDoc({}, "providers/p2/crds/other.yaml"),
        bindingDoc({ provider: "p2" }),
      ]);
      assert.deepEqual(where(findings, "binding-unknown-template"), [[binding, "/spec/template"]]);
      assert.match(
        messageOf(findings, "binding-unknown-template"),
        /providers\/p1\/templates\/databases.yaml belongs to another provider/,
      );
    });

    it("finds the template in a folder named after a service when the provider has no folder", () => {
      const findings = runChecks([
        repositoryDoc(),
        crdDoc({}, "providers/dbaas/crds/databases.yaml"),
        templateDoc({}, "providers/dbaas/templates/databases.yaml"),
        bindingDoc({}, "consumers/orders/bindings/orders-db.yaml"),
      ]);
      assert.deepEqual(findings, []);
    });

    it("reports a template name that several service folders define", () => {
      const findings = runChecks([
        repositoryDoc(),
        crdDoc({}, "providers/a/crds/databases.yaml"),
        templateDoc({}, "providers/a/templates/databases.yaml"),
        crdDoc({}, "providers/b/crds/databases.yaml"),
        templateDoc({}, "providers/b/templates/databases.yaml"),
        bindingDoc(),
      ]);
      assert.deepEqual(where(findings, "binding-unknown-template"), [[binding, "/spec/template"]]);
      assert.match(messageOf(findings, "binding-unknown-template"), /ambiguous/);
    });

    it("follows the folders bindops.yaml configures, relative to bindops.yaml", () => {
      const documents = [
        repositoryDoc(undefined, "platform/bindops.yaml", {
          providers: "./services/",
          consumers: "teams",
        }),
        crdDoc({}, "platform/services/provider/crds/databases.yaml"),
        templateDoc({}, "platform/services/provider/templates/databases.yaml"),
        bindingDoc({}, "platform/teams/consumer/orders-db.yaml"),
      ];
      assert.deepEqual(runChecks(documents), []);
      const moved = runChecks([
        ...documents,
        templateDoc({ name: "caches" }, "platform/providers/provider/templates/caches.yaml"),
        bindingDoc({ name: "cache", template: "caches" }, "platform/teams/consumer/cache.yaml"),
      ]);
      assert.deepEqual(where(moved, "binding-unknown-template"), [
        ["platform/teams/consumer/cache.yaml", "/spec/template"],
      ]);
    });

    it("falls back to any template of that name in a folder of loose examples", () => {
      const findings = runChecks([
        crdDoc({}, "examples/crd.yaml"),
        templateDoc({}, "examples/template.yaml"),
        bindingDoc({}, "examples/binding.yaml"),
      ]);
      assert.deepEqual(where(findings, "binding-unknown-template"), []);
    });
  });

  describe("template → CRDs", () => {
    it("reports a resource without a CRD in the repository", () => {
      const findings = runChecks([repositoryDoc(), templateDoc()]);
      assert.deepEqual(where(findings, "template-missing-crd"), [[template, "/spec/resources/0"]]);
    });

    it("does not take a CRD from another provider cluster's folder", () => {
      const findings = runChecks([
        repositoryDoc({ provider: { role: "provider" }, other: { role: "provider" } }),
        crdDoc({}, "providers/other/crds/databases.yaml"),
        templateDoc(),
      ]);
      assert.deepEqual(where(findings, "template-missing-crd"), [[template, "/spec/resources/0"]]);
    });

    it("takes a CRD from outside the providers folder (--crd-dir)", () => {
      const findings = runChecks([
        repositoryDoc(),
        crdDoc({}, "../crds/databases.yaml"),
        templateDoc(),
      ]);
      assert.deepEqual(where(findings, "template-missing-crd"), []);
    });

    it("reports, on the CRD, an exported CRD without the kube-bind.io/exported label", () => {
      const findings = runChecks([repositoryDoc(), crdDoc({ exported: false }), templateDoc()]);
      assert.deepEqual(where(findings, "crd-not-exported"), [[crd, "/metadata"]]);
      assert.match(
        messageOf(findings, "crd-not-exported"),
        /APIServiceExportTemplate databases exports this CRD/,
      );
    });

    it("does not ask an unexported CRD for the label", () => {
      const findings = runChecks([crdDoc({ exported: false })]);
      assert.deepEqual(where(findings, "crd-not-exported"), []);
    });

    it("reports versions the CRD does not serve", () => {
      const findings = runChecks([
        repositoryDoc(),
        crdDoc({ versions: [{ name: "v1" }, { name: "v2", served: false }] }),
        templateDoc({
          resources: [
            { group: "example.com", resource: "databases", versions: ["v1", "v2", "v3"] },
          ],
        }),
      ]);
      assert.deepEqual(where(findings, "template-version-not-served"), [
        [template, "/spec/resources/0/versions/1"],
        [template, "/spec/resources/0/versions/2"],
      ]);
    });

    it("reports resources without versions, which leave the request Pending", () => {
      const findings = runChecks([
        crdDoc(),
        templateDoc({ resources: [{ group: "example.com", resource: "databases" }] }),
      ]);
      assert.deepEqual(where(findings, "template-resource-missing-versions"), [
        [template, "/spec/resources/0"],
      ]);
    });

    it("reports a resource listed twice", () => {
      const resource = { group: "example.com", resource: "databases", versions: ["v1"] };
      const findings = runChecks([crdDoc(), templateDoc({ resources: [resource, resource] })]);
      assert.deepEqual(where(findings, "template-duplicate-resource"), [
        [template, "/spec/resources/1"],
      ]);
    });

    it("reports CRDs of different scopes in one template", () => {
      const findings = runChecks([
        crdDoc(),
        crdDoc(
          { plural: "clusters", kind: "Cluster", scope: "Cluster" },
          "providers/provider/crds/clusters.yaml",
        ),
        templateDoc({
          resources: [
            { group: "example.com", resource: "databases", versions: ["v1"] },
            { group: "example.com", resource: "clusters", versions: ["v1"] },
          ],
        }),
      ]);
      assert.deepEqual(where(findings, "template-mixed-scopes"), [[template, "/spec/resources"]]);
      assert.deepEqual(where(findings, "template-scope-mismatch"), []);
    });

    it("warns when spec.scope differs from the CRDs' scope", () => {
      const findings = runChecks([crdDoc(), templateDoc({ scope: "Cluster" })]);
      assert.deepEqual(where(findings, "template-scope-mismatch"), [[template, "/spec/scope"]]);
    });

    it("reports a CRD not named <plural>.<group>", () => {
      const findings = runChecks([crdDoc({ name: "database.example.com" })]);
      assert.deepEqual(where(findings, "crd-name-mismatch"), [[crd, "/metadata/name"]]);
      assert.deepEqual(where(runChecks([crdDoc()]), "crd-name-mismatch"), []);
    });
  });

  it("warns about a Collection listing a template that does not exist", () => {
    const collection = (names: string[]) =>
      doc("providers/provider/collection.yaml", {
        apiVersion: "kube-bind.io/v1alpha2",
        kind: "Collection",
        metadata: { name: "all" },
        spec: { templates: names.map((name) => ({ name })) },
      });
    const findings = runChecks([...cleanRepository(), collection(["databases", "caches"])]);
    assert.deepEqual(where(findings, "collection-unknown-template"), [
      ["providers/provider/collection.yaml", "/spec/templates/1/name"],
    ]);
  });
});
