import assert from "node:assert/strict";
import type { KubeObject } from "../../../src/kube/kube-client.js";
import { ObjectCache, diffObjects, objectKey } from "../../../src/kube/object-cache.js";
import { Backoff, backoffDelay } from "../../../src/kube/backoff.js";

const cm = (name: string, rv: string, namespace = "a", owner?: string): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace, resourceVersion: rv, ...(owner ? { labels: { owner } } : {}) },
});

describe("object cache", () => {
  it("keys namespaced objects by namespace/name and cluster-scoped ones by name", () => {
    assert.equal(objectKey(cm("x", "1")), "a/x");
    assert.equal(objectKey({ metadata: { name: "team" } }), "team");
  });

  it("diffs a fresh list against the cache: added, updated by resourceVersion, deleted", () => {
    const before = new Map([
      ["a/same", cm("same", "1")],
      ["a/changed", cm("changed", "1")],
      ["a/gone", cm("gone", "1")],
    ]);
    const diff = diffObjects(before, [cm("same", "1"), cm("changed", "2"), cm("new", "3")]);
    assert.deepEqual(
      diff.added.map((o) => o.metadata.name),
      ["new"],
    );
    assert.deepEqual(
      diff.updated.map((u) => [u.old.metadata.resourceVersion, u.object.metadata.resourceVersion]),
      [["1", "2"]],
    );
    assert.deepEqual(
      diff.deleted.map((o) => o.metadata.name),
      ["gone"],
    );
  });

  it("finds objects by namespace and by custom indexes, kept right through changes", () => {
    const cache = new ObjectCache();
    cache.upsert(cm("x", "1", "a", "alice"));
    cache.addIndex("owner", (o) => (o.metadata.labels?.owner ? [o.metadata.labels.owner] : []));
    cache.upsert(cm("y", "2", "b", "alice"));
    assert.deepEqual(names(cache.byIndex("owner", "alice")), ["x", "y"]);
    cache.upsert(cm("x", "3", "a", "bob"));
    assert.deepEqual(names(cache.byIndex("owner", "alice")), ["y"]);
    assert.deepEqual(names(cache.byIndex("owner", "bob")), ["x"]);
    assert.deepEqual(names(cache.list("b")), ["y"]);
    cache.remove("b/y");
    assert.deepEqual(cache.byIndex("owner", "alice"), []);
    assert.deepEqual(names(cache.list()), ["x"]);
    assert.throws(() => cache.byIndex("missing", "x"), /no index named "missing"/);
  });

  it("replaces its contents with a list and returns what changed", () => {
    const cache = new ObjectCache();
    cache.replace([cm("x", "1"), cm("y", "1")]);
    const diff = cache.replace([cm("y", "2"), cm("z", "1")]);
    assert.deepEqual(names(diff.added), ["z"]);
    assert.deepEqual(names(diff.deleted), ["x"]);
    assert.equal(cache.get("a/y")?.metadata.resourceVersion, "2");
    assert.deepEqual(cache.keys().sort(), ["a/y", "a/z"]);
  });
});

describe("backoff", () => {
  it("doubles from the initial delay up to the cap, and starts over on reset", () => {
    const backoff = new Backoff({ initialMs: 200, maxMs: 30_000 });
    const delays = Array.from({ length: 10 }, () => backoff.next());
    assert.deepEqual(delays, [200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
    backoff.reset();
    assert.equal(backoff.next(), 200);
  });

  it("takes up to the jitter fraction off each delay", () => {
    const low = new Backoff({ initialMs: 1000, maxMs: 30_000, jitter: 0.2, random: () => 0.999 });
    const high = new Backoff({ initialMs: 1000, maxMs: 30_000, jitter: 0.2, random: () => 0 });
    assert.ok(Math.abs(low.next() - 800.2) < 0.01);
    assert.equal(high.next(), 1000);
  });

  it("stays at the cap after very many failures", () => {
    assert.equal(backoffDelay(5, 1_000_000, 2, 5000), 1_000_000);
    assert.equal(backoffDelay(5, 1_000_000, 2, 3), 40);
  });
});

function names(objects: KubeObject[]): string[] {
  return objects.map((o) => o.metadata.name).sort();
}
