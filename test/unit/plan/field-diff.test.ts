import assert from "node:assert/strict";
import type { KubeObject } from "../../../src/core/kube-object.js";
import { fieldDiff, secretValue } from "../../../src/plan/field-diff.js";
import { handEdits, planObject } from "../../../src/plan/plan.js";

const revision = "1111111111111111111111111111111111111111";

/** A template as bindops applies it. */
function template(
  spec: Record<string, unknown> = {},
  labels: Record<string, string> = {},
): KubeObject {
  return {
    apiVersion: "kube-bind.io/v1alpha2",
    kind: "APIServiceExportTemplate",
    metadata: {
      name: "databases",
      labels: { "bindops.dev/managed-by": "bindops", ...labels },
      annotations: { "bindops.dev/revision": revision },
    },
    spec: {
      description: "Managed PostgreSQL",
      resources: [{ group: "dbaas.example.com", resource: "postgresclusters" }],
      ...spec,
    },
  };
}

/** What the server returns for `applied`: its fields, server fields, and who set what. */
function live(
  applied: KubeObject,
  managedFields: Record<string, unknown>[],
  extra: Record<string, unknown> = {},
): KubeObject {
  const copy = structuredClone(applied);
  return {
    ...copy,
    ...extra,
    metadata: {
      ...copy.metadata,
      uid: "8c0c",
      resourceVersion: "42",
      generation: 3,
      creationTimestamp: "2026-01-01T00:00:00Z",
      managedFields,
    },
  };
}

const bindopsOwnsTemplate = {
  manager: "bindops",
  operation: "Apply",
  apiVersion: "kube-bind.io/v1alpha2",
  fieldsType: "FieldsV1",
  fieldsV1: {
    "f:metadata": {
      "f:labels": { "f:bindops.dev/managed-by": {} },
      "f:annotations": { "f:bindops.dev/revision": {} },
    },
    "f:spec": { "f:description": {}, "f:resources": {}, "f:scope": {} },
  },
};

describe("fieldDiff and planObject: what a reconcile would change in an object", () => {
  it("finds nothing to change when the live object is what bindops applied, whatever the server added", () => {
    const desired = template();
    const onServer = live(desired, [bindopsOwnsTemplate], { status: { phase: "Ready" } });
    (onServer.spec as Record<string, unknown>).permissionClaims = [];
    assert.deepEqual(fieldDiff(onServer, desired), []);
    assert.equal(planObject(desired, onServer).action, "unchanged");
  });

  it("plans a create for an object the cluster does not have", () => {
    assert.deepEqual(planObject(template(), undefined, { binding: "consumer/orders-db" }), {
      apiVersion: "kube-bind.io/v1alpha2",
      kind: "APIServiceExportTemplate",
      name: "databases",
      binding: "consumer/orders-db",
      action: "create",
    });
  });

  it("names a field edited by hand, its live value, git's value and who edited it", () => {
    const desired = template();
    const edited = live(desired, [
      bindopsOwnsTemplate,
      {
        manager: "kubectl-edit",
        operation: "Update",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:spec": { "f:description": {} } },
      },
    ]);
    (edited.spec as Record<string, unknown>).description = "edited by hand";
    const plan = planObject(desired, edited);
    assert.equal(plan.action, "update");
    assert.deepEqual(plan.changes, [
      {
        path: "spec.description",
        op: "change",
        live: "edited by hand",
        desired: "Managed PostgreSQL",
        changedBy: ["kubectl-edit"],
      },
    ]);
    assert.equal(handEdits(plan.changes, edited, "another revision").length, 1);
  });

  it("shows a field git now sets as an add, and one git no longer sets as a remove", () => {
    const before = template({ scope: "Namespaced" });
    const onServer = live(before, [bindopsOwnsTemplate]);
    const desired = template({ permissionClaims: [{ group: "", resource: "secrets" }] });
    assert.deepEqual(fieldDiff(onServer, desired), [
      {
        path: "spec.permissionClaims",
        op: "add",
        desired: [{ group: "", resource: "secrets" }],
      },
      { path: "spec.scope", op: "remove", live: "Namespaced" },
    ]);
  });

  it("does not remove a field another manager also holds: server-side apply keeps it", () => {
    const before = template({ scope: "Namespaced" });
    const onServer = live(before, [
      bindopsOwnsTemplate,
      { manager: "platform-team", operation: "Apply", fieldsV1: { "f:spec": { "f:scope": {} } } },
    ]);
    assert.deepEqual(fieldDiff(onServer, template()), []);
  });

  it("does not count the revision annotation every reconcile moves", () => {
    const onServer = live(template(), [bindopsOwnsTemplate]);
    const desired = template();
    desired.metadata.annotations = {
      "bindops.dev/revision": "2222222222222222222222222222222222222222",
    };
    assert.equal(planObject(desired, onServer).action, "unchanged");
  });

  it("quotes label keys and compares lists of named items by name, not position", () => {
    const crd = (versions: Record<string, unknown>[]): KubeObject => ({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "things.example.com", labels: { "kube-bind.io/exported": "true" } },
      spec: { group: "example.com", versions },
    });
    const desired = crd([
      { name: "v1", served: true },
      { name: "v2", served: true },
    ]);
    const onServer = live(
      crd([
        { name: "v2", served: true },
        { name: "v1", served: false },
      ]),
      [
        {
          manager: "kubectl-patch",
          operation: "Update",
          fieldsV1: { "f:spec": { "f:versions": { 'k:{"name":"v1"}': { "f:served": {} } } } },
        },
      ],
    );
    onServer.metadata.labels = {};
    assert.deepEqual(fieldDiff(onServer, desired), [
      {
        path: 'metadata.labels["kube-bind.io/exported"]',
        op: "add",
        desired: "true",
      },
      {
        path: "spec.versions[name=v1].served",
        op: "change",
        live: false,
        desired: true,
        changedBy: ["kubectl-patch"],
      },
    ]);
  });

  it("never shows a Secret's data, only that it differs", () => {
    const secret = (kubeconfig: string): KubeObject => ({
      apiVersion: "v1",
      kind: "Secret",
      type: "Opaque",
      metadata: { name: "kubeconfig-provider", namespace: "kube-bind" },
      data: { kubeconfig },
    });
    const changes = fieldDiff(live(secret("c2VjcmV0LWE="), []), secret("c2VjcmV0LWI="));
    assert.deepEqual(changes, [
      { path: "data.kubeconfig", op: "change", live: secretValue, desired: secretValue },
    ]);
    assert.doesNotMatch(JSON.stringify(changes), /c2VjcmV0/);
  });

  it("counts any difference as a hand edit once the object carries this revision", () => {
    const desired = template();
    const onServer = live(desired, [bindopsOwnsTemplate]);
    // Someone removed a label bindops set: no manager holds the field any more.
    onServer.metadata.labels = {};
    const changes = fieldDiff(onServer, desired);
    assert.equal(changes.length, 1);
    assert.equal(handEdits(changes, onServer, revision).length, 1, "applied at this revision");
    assert.equal(
      handEdits(changes, onServer, "2222222222222222222222222222222222222222").length,
      0,
      "a new revision may add the label itself",
    );
  });
});
