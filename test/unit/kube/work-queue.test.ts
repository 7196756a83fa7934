import assert from "node:assert/strict";
import { Controller } from "../../../src/kube/controller.js";
import { Informer } from "../../../src/kube/informer.js";
import type { KubeObject } from "../../../src/kube/kube-client.js";
import {
  ItemExponentialRateLimiter,
  TokenBucketRateLimiter,
  defaultControllerRateLimiter,
} from "../../../src/kube/rate-limiter.js";
import { WorkQueue } from "../../../src/kube/work-queue.js";
import { captureLogger } from "../../support/capture-logger.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";
import { ManualClock, settle, until } from "../../support/manual-clock.js";

/** A promise a test resolves by hand: work that takes as long as the test says. */
function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe("work queue", () => {
  let clock: ManualClock;
  let queue: WorkQueue;
  const log = captureLogger("warn");

  beforeEach(() => {
    clock = new ManualClock();
    queue = new WorkQueue({ name: "test", logger: log.logger, clock });
  });
  afterEach(async () => {
    await queue.shutdown();
  });

  it("queues a key at most once, in the order keys were first added", async () => {
    queue.add("a");
    queue.add("b");
    queue.add("a");
    assert.equal(queue.length, 2);
    assert.equal(await queue.get(), "a");
    assert.equal(await queue.get(), "b");
    assert.equal(queue.metrics().adds, 3);
    queue.done("a");
    queue.done("b");
  });

  it("never hands a key being processed to another worker, and processes it again afterwards", async () => {
    queue.add("a");
    const key = await queue.get();
    queue.add("a");
    assert.equal(queue.length, 0, "not queued while processing");
    let second: string | undefined;
    void queue.get().then((k) => (second = k));
    await settle();
    assert.equal(second, undefined);
    queue.done(key!);
    await settle();
    assert.equal(second, "a");
    queue.done("a");
  });

  it("runs different keys concurrently, up to the number of workers, and one key serially", async () => {
    const gates = new Map<string, ReturnType<typeof gate>>();
    let inFlight = 0;
    let most = 0;
    const runs: string[] = [];
    const done = queue.process(
      async (key) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        runs.push(key);
        const g = gate();
        gates.set(key, g);
        await g.promise;
        inFlight -= 1;
      },
      { workers: 2 },
    );
    for (const key of ["a", "b", "c"]) queue.add(key);
    await until("two running", () => inFlight === 2);
    queue.add("a");
    await settle();
    assert.deepEqual(runs, ["a", "b"]);
    gates.get("a")!.open();
    await until("c runs", () => runs.length === 3);
    assert.deepEqual(runs, ["a", "b", "c"], "the other key first, a waits its turn in the queue");
    gates.get("b")!.open();
    await until("a again", () => runs.length === 4);
    assert.equal(runs[3], "a");
    gates.get("c")!.open();
    gates.get("a")!.open();
    await until("idle", () => inFlight === 0);
    assert.equal(most, 2);
    await queue.shutdown();
    await done;
  });

  it("retries a failing key with per-key exponential backoff, and forgets it on success", async () => {
    let attempts = 0;
    const done = queue.process(async () => {
      attempts += 1;
      await settle(1);
      if (attempts <= 3) throw new Error("not yet");
    });
    queue.add("a");
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      await until(`retry ${i}`, () => clock.nextDelay() !== undefined);
      delays.push(clock.nextDelay()!);
      await clock.advance(clock.nextDelay()!);
    }
    await until("succeeded", () => queue.metrics().processed === 1);
    assert.deepEqual(delays, [5, 10, 20]);
    assert.equal(queue.retries("a"), 0);
    assert.equal(queue.metrics().retries, 3);
    assert.equal(queue.metrics().failures, 3);
    await queue.shutdown();
    await done;
  });

  it("requeues after requeueAfter", async () => {
    let runs = 0;
    const done = queue.process(async () => {
      runs += 1;
      await settle(1);
      return runs === 1 ? { requeueAfter: 30_000 } : {};
    });
    queue.add("a");
    await until("ran", () => runs === 1);
    await clock.advance(29_999);
    assert.equal(runs, 1);
    await clock.advance(1);
    await until("ran again", () => runs === 2);
    await queue.shutdown();
    await done;
  });

  it("keeps the earlier time when a waiting key is added after a delay again", async () => {
    queue.addAfter("a", 1_000);
    queue.addAfter("a", 5_000);
    queue.addAfter("a", 500);
    assert.equal(queue.metrics().delayed, 1);
    await clock.advance(500);
    assert.equal(queue.length, 1);
    await clock.advance(10_000);
    assert.equal(queue.length, 1);
  });

  it("lets in-flight work finish on shutdown, drops queued keys, and ignores later adds", async () => {
    const g = gate();
    const finished: string[] = [];
    const done = queue.process(async (key) => {
      await g.promise;
      finished.push(key);
    });
    queue.add("a");
    queue.add("b");
    queue.addAfter("c", 1_000);
    await until("a running", () => queue.metrics().inFlight === 1);
    let shut = false;
    const shutting = queue.shutdown().then(() => (shut = true));
    queue.add("d");
    await settle();
    assert.equal(shut, false, "waits for a");
    g.open();
    await shutting;
    await done;
    assert.deepEqual(finished, ["a"]);
    assert.equal(clock.pending, 0, "no delayed add left behind");
  });

  it("processes what is queued first when asked to drain", async () => {
    const finished: string[] = [];
    queue.add("a");
    queue.add("b");
    const shutting = queue.shutdown({ drain: true });
    const done = queue.process(async (key) => {
      await settle(2);
      finished.push(key);
    });
    await shutting;
    await done;
    assert.deepEqual(finished, ["a", "b"]);
  });

  it("measures queue latency and work duration on its clock", async () => {
    const done = queue.process(async () => {
      await clock.advance(7);
    });
    clock.schedule(0, () => undefined);
    queue.addAfter("a", 3);
    await clock.advance(3);
    await until("processed", () => queue.metrics().processed === 1);
    const metrics = queue.metrics();
    assert.equal(metrics.workDuration.count, 1);
    assert.equal(metrics.workDuration.sumMs, 7);
    assert.equal(metrics.queueLatency.count, 1);
    await queue.shutdown();
    await done;
  });
});

describe("rate limiters", () => {
  it("backs a key off from 5 ms doubling to 1000 s, per key", () => {
    const limiter = new ItemExponentialRateLimiter();
    const delays = Array.from({ length: 5 }, () => limiter.when("a"));
    assert.deepEqual(delays, [5, 10, 20, 40, 80]);
    assert.equal(limiter.when("b"), 5);
    for (let i = 0; i < 40; i++) limiter.when("a");
    assert.equal(limiter.when("a"), 1_000_000);
    limiter.forget("a");
    assert.equal(limiter.when("a"), 5);
  });

  it("lets a burst of 100 through, then 10 per second", async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucketRateLimiter(10, 100, clock);
    const burst = Array.from({ length: 100 }, () => bucket.when());
    assert.ok(burst.every((d) => d === 0));
    assert.deepEqual([bucket.when(), bucket.when(), bucket.when()], [100, 200, 300]);
    // 200 ms refill two tokens; the three reserved beyond the burst are still owed.
    await clock.advance(200);
    assert.equal(bucket.when(), 200);
  });

  it("combines both as client-go's default controller rate limiter", () => {
    const clock = new ManualClock();
    const limiter = defaultControllerRateLimiter(clock);
    const delays = Array.from({ length: 101 }, (_, i) => limiter.when(`key-${i}`));
    assert.ok(
      delays.slice(0, 100).every((d) => d === 5),
      "per-key backoff under the burst",
    );
    assert.equal(delays[100], 100, "the bucket once the burst is spent");
    assert.equal(limiter.retries("key-0"), 1);
  });
});

describe("Controller", () => {
  it("reconciles every object's key once synced, retries failures, and stops cleanly", async () => {
    const kube = new FakeKubeClient();
    const clock = new ManualClock();
    const { logger } = captureLogger("warn");
    const cm = (name: string): KubeObject => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, namespace: "team" },
    });
    kube.seed(cm("a"));
    kube.seed(cm("b"));
    const informer = new Informer({
      client: kube,
      query: { apiVersion: "v1", kind: "ConfigMap" },
      logger,
      clock,
    });
    const reconciled: string[] = [];
    let failOnce = true;
    const controller = new Controller({
      name: "test",
      logger,
      sources: [{ informer }],
      queue: new WorkQueue({ name: "test", logger, clock }),
      workers: 2,
      reconcile: async (key) => {
        reconciled.push(key);
        await settle(1);
        if (key === "team/b" && failOnce) {
          failOnce = false;
          throw new Error("transient");
        }
        // Level-triggered: reads the cache, not the event.
        assert.ok(informer.getByKey(key) !== undefined || key === "team/c");
      },
    });
    await controller.start();
    await until("both reconciled", () => reconciled.length >= 2);
    await clock.advance(5);
    await until("b retried", () => reconciled.filter((k) => k === "team/b").length === 2);
    await until("watching", () => kube.openWatches === 1);
    await kube.create(cm("c"));
    await until("c reconciled", () => reconciled.includes("team/c"));
    await controller.stop();
    await controller.stop();
    assert.equal(kube.openWatches, 0);
    assert.equal(clock.pending, 0);
  });
});
