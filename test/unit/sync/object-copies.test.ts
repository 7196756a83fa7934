import assert from "node:assert/strict";
import type { KubeObject } from "../../../src/core/kube-object.js";
import { copyFor, mergePatchBetween } from "../../../src/sync/object-copies.js";

/** A consumer Secret as the API server returns it. */
const served = (): KubeObject => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: {
    name: "db-creds",
    namespace: "team-a",
    uid: "6f1c",
    resourceVersion: "4711",
    generation: 3,
    creationTimestamp: "2025-01-01T00:00:00Z",
    deletionTimestamp: "2025-01-02T00:00:00Z",
    deletionGracePeriodSeconds: 30,
    generateName: "db-",
    selfLink: "/api/v1/namespaces/team-a/secrets/db-creds",
    finalizers: ["kubebind.io/syncer"],
    ownerReferences: [{ apiVersion: "v1", kind: "Pod", name: "p", uid: "1" }],
    managedFields: [{ manager: "kubectl", operation: "Apply" }],
    labels: { app: "orders", "claimed.internal.apis.kcp.io/abc": "x" },
    annotations: { note: "keep", "kcp.io/cluster": "root:org" },
  },
  type: "Opaque",
  data: { password: "c2VjcmV0" },
  status: { phase: "Ready" },
});

describe("copyFor", () => {
  it("leaves out what the source's server set: uid, versions, timestamps, owners, finalizers", () => {
    const copy = copyFor(served(), { namespace: "team-a", name: "db-creds" });
    assert.deepEqual(Object.keys(copy.metadata).sort(), [
      "annotations",
      "labels",
      "name",
      "namespace",
    ]);
  });

  it("keeps the data, type, labels and annotations of the source", () => {
    const copy = copyFor(served(), { namespace: "kube-bind-x7k2p-team-a", name: "db-creds" });
    assert.equal(copy.type, "Opaque");
    assert.deepEqual(copy.data, { password: "c2VjcmV0" });
    assert.deepEqual(copy.metadata.labels, { app: "orders" });
    assert.deepEqual(copy.metadata.annotations, { note: "keep" });
  });

  it("puts the copy at the name and namespace given", () => {
    const copy = copyFor(served(), { namespace: "kube-bind-x7k2p-team-a", name: "orders-db" });
    assert.equal(copy.metadata.name, "orders-db");
    assert.equal(copy.metadata.namespace, "kube-bind-x7k2p-team-a");
  });

  it("makes a cluster-scoped copy without a namespace", () => {
    const copy = copyFor(served(), { namespace: "", name: "kube-bind-x7k2p-db-creds" });
    assert.equal("namespace" in copy.metadata, false);
  });

  it("drops kcp's cluster annotation and claimed labels", () => {
    const copy = copyFor(served(), { namespace: "team-a", name: "db-creds" });
    assert.equal(copy.metadata.annotations?.["kcp.io/cluster"], undefined);
    assert.equal(copy.metadata.labels?.["claimed.internal.apis.kcp.io/abc"], undefined);
  });

  it("merges in the extra labels and annotations, which win over the source's", () => {
    const copy = copyFor(
      served(),
      { namespace: "team-a", name: "db-creds" },
      {
        annotations: { note: "replaced", "kube-bind.io/consumer-uid": "6f1c" },
        labels: { "kube-bind.io/owner": "consumer" },
      },
    );
    assert.deepEqual(copy.metadata.annotations, {
      note: "replaced",
      "kube-bind.io/consumer-uid": "6f1c",
    });
    assert.deepEqual(copy.metadata.labels, { app: "orders", "kube-bind.io/owner": "consumer" });
  });

  it("writes no empty label or annotation maps", () => {
    const source = served();
    source.metadata.labels = { "claimed.internal.apis.kcp.io/abc": "x" };
    delete source.metadata.annotations;
    const copy = copyFor(source, { namespace: "team-a", name: "db-creds" });
    assert.equal("labels" in copy.metadata, false);
    assert.equal("annotations" in copy.metadata, false);
  });

  it("sets the owner references given instead of the source's", () => {
    const owner = { apiVersion: "v1", kind: "Namespace", name: "kube-bind-x7k2p", uid: "9" };
    const copy = copyFor(served(), { namespace: "", name: "x" }, { ownerReferences: [owner] });
    assert.deepEqual(copy.metadata.ownerReferences, [owner]);
  });

  it("leaves the status out unless asked to keep it", () => {
    assert.equal("status" in copyFor(served(), { namespace: "team-a", name: "x" }), false);
    const kept = copyFor(served(), { namespace: "team-a", name: "x" }, { keepStatus: true });
    assert.deepEqual(kept.status, { phase: "Ready" });
  });

  it("does not change the source (an informer's cached object)", () => {
    const source = served();
    copyFor(source, { namespace: "other", name: "other" }, { labels: { a: "b" } });
    assert.deepEqual(source, served());
  });
});

describe("mergePatchBetween", () => {
  it("has no patch for equal values, whatever their key order", () => {
    assert.equal(
      mergePatchBetween({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }),
      undefined,
    );
    assert.equal(mergePatchBetween({}, {}), undefined);
    assert.equal(mergePatchBetween("x", "x"), undefined);
  });

  it("sets changed and new fields", () => {
    assert.deepEqual(mergePatchBetween({ phase: "Pending" }, { phase: "Ready", ready: true }), {
      phase: "Ready",
      ready: true,
    });
  });

  it("removes fields the new value lacks with null", () => {
    assert.deepEqual(mergePatchBetween({ phase: "Ready", message: "ok" }, { phase: "Ready" }), {
      message: null,
    });
  });

  it("removes a field the new value leaves undefined, as its JSON would", () => {
    assert.deepEqual(
      mergePatchBetween({ phase: "Ready", message: "ok" }, { phase: "Ready", message: undefined }),
      {
        message: null,
      },
    );
    assert.equal(mergePatchBetween({ message: undefined }, {}), undefined);
  });

  it("patches nested objects field by field", () => {
    assert.deepEqual(
      mergePatchBetween(
        { status: { phase: "Ready", endpoint: { host: "a", port: 1 } } },
        { status: { phase: "Ready", endpoint: { host: "b", port: 1 } } },
      ),
      { status: { endpoint: { host: "b" } } },
    );
  });

  it("replaces lists whole", () => {
    const from = { conditions: [{ type: "Ready", status: "False" }, { type: "Synced" }] };
    const to = { conditions: [{ type: "Ready", status: "True" }, { type: "Synced" }] };
    assert.deepEqual(mergePatchBetween(from, to), to);
    assert.deepEqual(mergePatchBetween({ list: [1, 2] }, { list: [1] }), { list: [1] });
  });

  it("replaces a value whose type changes", () => {
    assert.deepEqual(mergePatchBetween({ a: [1] }, { a: { b: 1 } }), { a: { b: 1 } });
    assert.deepEqual(mergePatchBetween({ a: { b: 1 } }, { a: "x" }), { a: "x" });
    assert.deepEqual(mergePatchBetween(undefined, { a: 1 }), { a: 1 });
  });

  it("turns from into to when applied as a JSON merge patch", () => {
    const from = { a: 1, b: { c: 2, d: [3] }, e: "gone" };
    const to = { a: 2, b: { c: 2, d: [4], f: true } };
    assert.deepEqual(applyMergePatch(from, mergePatchBetween(from, to)), to);
  });
});

/** RFC 7386, for checking patches. */
function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> =
    typeof target === "object" && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}
