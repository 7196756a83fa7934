import assert from "node:assert/strict";
import type { KubeObject, WatchEvent } from "../../../src/kube/kube-client.js";
import { isKubeError } from "../../../src/kube/kube-error.js";
import { FakeKubeClient, matchesLabels, mergePatch } from "../../support/fake-kube-client.js";

const widget = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "example.dev/v1",
  kind: "Widget",
  metadata: { name, namespace: "team" },
  spec,
});
const ref = (name: string) => ({
  apiVersion: "example.dev/v1",
  kind: "Widget",
  name,
  namespace: "team",
});

describe("FakeKubeClient", () => {
  let kube: FakeKubeClient;
  beforeEach(() => {
    kube = new FakeKubeClient();
    kube.registerKind("example.dev/v1", "Widget", {
      plural: "widgets",
      namespaced: true,
      status: true,
    });
  });

  it("refuses a stale update with Conflict and bumps generation only on spec changes", async () => {
    const created = await kube.create(widget("w", { size: 1 }));
    assert.equal(created.metadata.generation, 1);
    const updated = await kube.update({ ...created, spec: { size: 2 } });
    assert.equal(updated.metadata.generation, 2);
    await assert.rejects(kube.update({ ...created, spec: { size: 3 } }), (e: unknown) =>
      isKubeError(e, "Conflict"),
    );
    const labelled = await kube.patch(ref("w"), { metadata: { labels: { a: "b" } } });
    assert.equal(labelled.metadata.generation, 2);
    await assert.rejects(kube.create(widget("w")), (e: unknown) => isKubeError(e, "Conflict"));
  });

  it("keeps status apart: update ignores it, updateStatus and patchStatus change only it", async () => {
    const created = await kube.create(widget("w"));
    const withStatus = await kube.patchStatus(ref("w"), { status: { phase: "Ready" } });
    assert.deepEqual(withStatus.status, { phase: "Ready" });
    const updated = await kube.update({ ...withStatus, spec: { x: 1 }, status: { phase: "Lost" } });
    assert.deepEqual(updated.status, { phase: "Ready" });
    const statusOnly = await kube.updateStatus({
      ...updated,
      spec: { x: 2 },
      status: { phase: "Done" },
    });
    assert.deepEqual(statusOnly.spec, { x: 1 });
    assert.deepEqual(statusOnly.status, { phase: "Done" });
    assert.equal(created.metadata.uid, statusOnly.metadata.uid);
  });

  it("holds a deletion while finalizers remain, and deletes when the last one goes", async () => {
    await kube.create({ ...widget("w"), metadata: { ...widget("w").metadata, finalizers: ["x"] } });
    await kube.delete(ref("w"));
    const deleting = await kube.get(ref("w"));
    assert.ok(deleting.metadata.deletionTimestamp);
    await kube.patch(ref("w"), { metadata: { finalizers: null } });
    await assert.rejects(kube.get(ref("w")), (e: unknown) => isKubeError(e, "NotFound"));
  });

  it("replays a watch from a resourceVersion, and answers Gone for one older than a compaction", async () => {
    const { resourceVersion } = await kube.list({ apiVersion: "example.dev/v1", kind: "Widget" });
    await kube.create(widget("a"));
    await kube.create(widget("b"));
    const seen: WatchEvent[] = [];
    const controller = new AbortController();
    await assert.rejects(
      (async () => {
        for await (const event of kube.watch(
          { apiVersion: "example.dev/v1", kind: "Widget", resourceVersion },
          controller,
        )) {
          seen.push(event);
          if (seen.length === 2) controller.abort(new Error("enough"));
        }
      })(),
      /enough/,
    );
    assert.deepEqual(
      seen.map((e) => `${e.type} ${e.object.metadata.name}`),
      ["ADDED a", "ADDED b"],
    );
    assert.equal(kube.openWatches, 0);
    kube.compact();
    await assert.rejects(
      kube.watch({ apiVersion: "example.dev/v1", kind: "Widget", resourceVersion }).next(),
      (e: unknown) => isKubeError(e, "Gone"),
    );
  });

  it("injects faults into the next calls of an operation, in turn", async () => {
    kube.failNext("get");
    await kube.create(widget("w"));
    await assert.rejects(kube.get(ref("w")), (e: unknown) => isKubeError(e, "Unreachable"));
    assert.equal((await kube.get(ref("w"))).metadata.name, "w");
  });

  it("says NotFound (UnknownKind) for a kind it does not serve", async () => {
    await assert.rejects(
      kube.describeKind("example.dev/v1", "Gadget"),
      (e: unknown) => isKubeError(e, "NotFound") && e.reason === "UnknownKind",
    );
  });

  it("merges patches as RFC 7386 says and matches equality label selectors", () => {
    assert.deepEqual(mergePatch({ a: { b: 1, c: 2 }, d: [1] }, { a: { b: null, e: 3 }, d: [2] }), {
      a: { c: 2, e: 3 },
      d: [2],
    });
    assert.ok(matchesLabels({ app: "web", tier: "fe" }, "app=web,tier!=db"));
    assert.ok(!matchesLabels({ app: "web" }, "app==db"));
    assert.ok(matchesLabels({ app: "web" }, "app,!gone"));
    assert.ok(!matchesLabels(undefined, { app: "web" }));
  });
});
