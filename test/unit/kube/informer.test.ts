import assert from "node:assert/strict";
import type { KubeObject } from "../../../src/kube/kube-client.js";
import { Informer, type InformerOptions } from "../../../src/kube/informer.js";
import { captureLogger } from "../../support/capture-logger.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";
import { ManualClock, settle, until } from "../../support/manual-clock.js";

const cm = (name: string, data: Record<string, string> = {}, labels?: Record<string, string>) =>
  ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "team", ...(labels ? { labels } : {}) },
    data,
  }) as KubeObject;
const ref = (name: string) => ({ apiVersion: "v1", kind: "ConfigMap", name, namespace: "team" });

describe("Informer (against the in-memory fake)", () => {
  let kube: FakeKubeClient;
  let clock: ManualClock;
  let log: ReturnType<typeof captureLogger>;
  let informer: Informer;
  let events: string[];

  const make = (options: Partial<InformerOptions> = {}): Informer => {
    informer = new Informer({
      client: kube,
      query: { apiVersion: "v1", kind: "ConfigMap", namespace: "team" },
      logger: log.logger,
      clock,
      backoff: { jitter: 0 },
      ...options,
    });
    events = [];
    informer.addEventHandler({
      onAdd: (o) => events.push(`add ${o.metadata.name}`),
      onUpdate: (old, o) =>
        events.push(
          `update ${o.metadata.name} ${old.metadata.resourceVersion}->${o.metadata.resourceVersion}`,
        ),
      onDelete: (o) => events.push(`delete ${o.metadata.name}`),
    });
    return informer;
  };

  beforeEach(() => {
    kube = new FakeKubeClient();
    clock = new ManualClock();
    log = captureLogger();
  });
  afterEach(async () => {
    await informer?.stop();
  });

  it("lists, syncs, then follows adds, updates (with the old object) and deletes", async () => {
    kube.seed(cm("one"));
    make().start();
    await informer.waitForSync();
    assert.ok(informer.hasSynced());
    assert.deepEqual(events, ["add one"]);
    await until("the watch is open", () => kube.openWatches === 1);
    const two = await kube.create(cm("two"));
    const one = await kube.patch(ref("one"), { data: { a: "1" } });
    await kube.delete(ref("two"));
    await until("three events", () => events.length === 4);
    assert.deepEqual(events.slice(1), [
      "add two",
      `update one 2->${one.metadata.resourceVersion}`,
      "delete two",
    ]);
    assert.equal(
      informer.get("one", "team")?.data &&
        (informer.get("one", "team")!.data as Record<string, string>).a,
      "1",
    );
    assert.equal(informer.get("two", "team"), undefined);
    assert.equal(informer.lastResourceVersion, kube.resourceVersion);
    assert.ok(two.metadata.uid);
    assert.equal(informer.stats().lists, 1);
  });

  it("relists after a 410 Gone and delivers only the differences", async () => {
    kube.seed(cm("keep"));
    kube.seed(cm("change"));
    kube.seed(cm("remove"));
    make().start();
    await informer.waitForSync();
    await until("the watch is open", () => kube.openWatches === 1);
    // Changes the informer does not see, then the history it would need is compacted away.
    kube.freezeWatches();
    await kube.patch(ref("change"), { data: { x: "1" } });
    await kube.delete(ref("remove"));
    await kube.create(cm("new"));
    kube.compact();
    events.length = 0;
    kube.cutWatches();
    await until("a retry is scheduled", () => clock.nextDelay() === 200);
    await clock.advance(200);
    await until("relisted", () => informer.stats().relists === 1);
    assert.equal(clock.nextDelay(), 90_000, "only the idle timer: the 410 relisted at once");
    assert.deepEqual(events.sort(), ["add new", "delete remove", "update change 3->5"]);
    assert.deepEqual(informer.keys().sort(), ["team/change", "team/keep", "team/new"]);
  });

  it("relists at once on an ERROR event with code 410", async () => {
    kube.seed(cm("one"));
    make().start();
    await informer.waitForSync();
    await until("the watch is open", () => kube.openWatches === 1);
    kube.expireWatches();
    await until("relisted", () => informer.stats().relists === 1);
    assert.equal(clock.scheduled.filter((ms) => ms === 200).length, 0, "no backoff before it");
    assert.deepEqual(events, ["add one"], "an unchanged object is not delivered again");
  });

  it("resumes from its resourceVersion after a cut connection, backing off, and misses nothing", async () => {
    make().start();
    await informer.waitForSync();
    await until("the watch is open", () => kube.openWatches === 1);
    kube.failNext("watch");
    kube.failNext("watch");
    kube.cutWatches();
    await kube.create(cm("during"));
    await until("the first retry is scheduled", () => clock.nextDelay() === 200);
    await clock.advance(200);
    await until("the second retry is scheduled", () => clock.nextDelay() === 400);
    await clock.advance(400);
    await until("the third retry is scheduled", () => clock.nextDelay() === 800);
    await clock.advance(800);
    await until("the event arrived", () => events.includes("add during"));
    assert.equal(informer.stats().lists, 1, "no relist: the watch resumed");
    assert.equal(informer.stats().failures, 3);
    const watches = kube.calls.filter((c) => c.startsWith("watch"));
    assert.match(watches.at(-1)!, /@1$/);
  });

  it("backs off list failures exponentially up to 30 s", async () => {
    for (let i = 0; i < 10; i++) kube.failNext("list");
    make().start();
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      await until(`retry ${i}`, () => clock.nextDelay() !== undefined);
      const delay = clock.nextDelay()!;
      delays.push(delay);
      await clock.advance(delay);
    }
    await informer.waitForSync();
    assert.deepEqual(
      delays,
      [200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000].slice(0, 10),
    );
    assert.ok(log.records.some((r) => r.msg === "watch failed; retrying" && r.retryInMs === 30000));
  });

  it("jitters the backoff", async () => {
    kube.failNext("list");
    make({ backoff: { jitter: 0.5, random: () => 0.5 } }).start();
    await until("a retry is scheduled", () => clock.nextDelay() !== undefined);
    assert.equal(clock.nextDelay(), 150);
  });

  it("advances its resourceVersion on a bookmark", async () => {
    make().start();
    await informer.waitForSync();
    await until("the watch is open", () => kube.openWatches === 1);
    kube.seed({ ...cm("other"), metadata: { name: "x", namespace: "elsewhere" } });
    kube.bookmark();
    await until("bookmark seen", () => informer.stats().events === 1);
    assert.equal(informer.lastResourceVersion, kube.resourceVersion);
    assert.deepEqual(events, []);
  });

  it("reopens a watch that delivered nothing within the idle timeout, from the same version", async () => {
    make({ idleTimeoutMs: 90_000 }).start();
    await informer.waitForSync();
    await until("the watch is open", () => kube.openWatches === 1);
    kube.freezeWatches();
    await kube.create(cm("late"));
    await clock.advance(90_000);
    await until("a new watch", () => informer.stats().watches === 2);
    await until("the event replayed", () => events.includes("add late"));
    assert.equal(informer.stats().idleRestarts, 1);
    assert.equal(informer.stats().lists, 1);
  });

  it("re-delivers every cached object as an update each resync period", async () => {
    kube.seed(cm("a"));
    kube.seed(cm("b"));
    make({ resyncPeriodMs: 60_000, idleTimeoutMs: 1_000_000 }).start();
    await informer.waitForSync();
    events.length = 0;
    await clock.advance(60_000);
    assert.deepEqual(events.sort(), ["update a 2->2", "update b 3->3"]);
    assert.equal(informer.stats().resyncs, 1);
  });

  it("gives a handler added after sync every cached object as an add", async () => {
    kube.seed(cm("a"));
    make().start();
    await informer.waitForSync();
    const late: string[] = [];
    informer.addEventHandler({ onAdd: (o) => late.push(o.metadata.name) });
    assert.deepEqual(late, ["a"]);
  });

  it("sees an object that stops matching its label selector as deleted", async () => {
    kube.seed(cm("a", {}, { app: "web" }));
    make({ query: { apiVersion: "v1", kind: "ConfigMap", labelSelector: { app: "web" } } }).start();
    await informer.waitForSync();
    await until("the watch is open", () => kube.openWatches === 1);
    await kube.patch(ref("a"), { metadata: { labels: { app: null } } });
    await until("deleted", () => events.includes("delete a"));
    assert.equal(informer.list().length, 0);
  });

  it("keeps its indexes current", async () => {
    kube.seed(cm("a", {}, { owner: "x" }));
    make();
    informer.addIndex("owner", (o) => (o.metadata.labels?.owner ? [o.metadata.labels.owner] : []));
    informer.start();
    await informer.waitForSync();
    await until("the watch is open", () => kube.openWatches === 1);
    await kube.patch(ref("a"), { metadata: { labels: { owner: "y" } } });
    await until("updated", () => events.length === 2);
    assert.deepEqual(informer.byIndex("owner", "x"), []);
    assert.equal(informer.byIndex("owner", "y")[0]?.metadata.name, "a");
  });

  it("stops cleanly: idempotent, no timers, no watches, no error for its own abort", async () => {
    make({ resyncPeriodMs: 10_000 }).start();
    await informer.waitForSync();
    await until("the watch is open", () => kube.openWatches === 1);
    await informer.stop();
    await informer.stop();
    await settle();
    assert.equal(kube.openWatches, 0);
    assert.equal(clock.pending, 0);
    assert.deepEqual(
      log.records.filter((r) => r.level >= 40),
      [],
    );
  });

  it("stops while backing off, and rejects waitForSync when stopped before sync", async () => {
    kube.failNext("list");
    make().start();
    const waiting = informer.waitForSync();
    await until("backing off", () => clock.pending > 0);
    await informer.stop();
    await assert.rejects(waiting, /stopped/);
    assert.equal(clock.pending, 0);
  });

  it("stops when the start signal aborts, and waitForSync honours its own signal", async () => {
    kube.failNext("list");
    const controller = new AbortController();
    make().start({ signal: controller.signal });
    const waiter = new AbortController();
    const waiting = informer.waitForSync({ signal: waiter.signal });
    waiter.abort(new Error("gave up"));
    await assert.rejects(waiting, /gave up/);
    controller.abort();
    await informer.stop();
    assert.equal(clock.pending, 0);
  });

  it("keeps running when a handler throws, and logs the failure with the object", async () => {
    kube.seed(cm("a"));
    make();
    informer.addEventHandler({
      onAdd: () => {
        throw new Error("handler bug");
      },
    });
    informer.start();
    await informer.waitForSync();
    await until("the watch is open", () => kube.openWatches === 1);
    await kube.create(cm("b"));
    await until("b arrived", () => events.includes("add b"));
    assert.ok(log.records.some((r) => r.msg === "add handler failed" && r.object === "team/a"));
  });
});
