import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { KubeConfig } from "@kubernetes/client-node";
import { pino } from "pino";
import { LeaderElector } from "../../src/kube/leader-election.js";
import { RestKubeClient } from "../../src/kube/rest-kube-client.js";
import { clusterStartTimeoutMs, clusters, type DevCluster } from "../support/clusters.js";
import { eventually } from "../support/eventually.js";
import { TcpProxy } from "../support/tcp-proxy.js";

const logger = pino({ level: process.env.BINDOPS_TEST_LOG ?? "silent" });

function clientFor(cluster: DevCluster, server = cluster.server): RestKubeClient {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: cluster.name, server, caData: cluster.caData }],
    users: [{ name: cluster.name, token: cluster.token }],
    contexts: [{ name: cluster.name, cluster: cluster.name, user: cluster.name }],
    currentContext: cluster.name,
  });
  return new RestKubeClient(kc, { requestTimeoutMs: 1_500 });
}

/** For `eventually`: true once `who` leads. */
const leads = (timeline: Timeline, who: string) =>
  Promise.resolve(timeline.leader() === who ? true : undefined);

/** When each candidate led: the intervals must never overlap. */
class Timeline {
  readonly spans: { who: string; from: number; to?: number }[] = [];
  start(who: string): void {
    this.spans.push({ who, from: performance.now() });
  }
  end(who: string): void {
    const open = this.spans.find((s) => s.who === who && s.to === undefined);
    if (open) open.to = performance.now();
  }
  leader(): string | undefined {
    return this.spans.find((s) => s.to === undefined)?.who;
  }
  assertNoOverlap(): void {
    const sorted = [...this.spans].sort((a, b) => a.from - b.from);
    for (let i = 1; i < sorted.length; i++) {
      const previous = sorted[i - 1]!;
      assert.ok(
        previous.to !== undefined && previous.to <= sorted[i]!.from,
        `${previous.who} and ${sorted[i]!.who} led at the same time`,
      );
    }
  }
}

describe("leader election on a Lease (real API server)", function () {
  this.timeout(120_000);
  let cluster: DevCluster;
  const timing = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 400 };

  before(async function () {
    this.timeout(clusterStartTimeoutMs);
    cluster = (await clusters()).provider;
  });

  /** A candidate whose work runs until leadership ends, recorded on the timeline. */
  function candidate(name: string, lease: string, timeline: Timeline, server?: string) {
    const client = clientFor(cluster, server);
    const elector = new LeaderElector({
      client,
      namespace: "default",
      name: lease,
      identity: name,
      logger,
      ...timing,
    });
    const stop = new AbortController();
    const result = elector.run(async (signal) => {
      timeline.start(name);
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
      timeline.end(name);
    }, stop.signal);
    return { elector, stop, result, client };
  }

  it("elects one leader; a standby takes over within one lease duration after the leader dies", async () => {
    const timeline = new Timeline();
    const lease = `le-kill-${Date.now()}`;
    const proxy = new TcpProxy("127.0.0.1", Number(new URL(cluster.server).port));
    const a = candidate("a", lease, timeline, `https://127.0.0.1:${await proxy.start()}`);
    await eventually("a to lead", () => leads(timeline, "a"));
    const b = candidate("b", lease, timeline);
    await sleep(1_500);
    assert.equal(timeline.leader(), "a", "the standby took the lease while the leader renewed it");
    // As SIGKILL: the leader vanishes from the network without releasing the lease.
    const killedAt = performance.now();
    await proxy.stop();
    a.stop.abort();
    await a.result;
    await eventually("b to take over", () => leads(timeline, "b"), 15_000);
    const takeover = timeline.spans.find((s) => s.who === "b")!.from - killedAt;
    assert.ok(takeover >= timing.leaseDurationMs - 500, `took an unexpired lease (${takeover} ms)`);
    assert.ok(
      takeover < timing.leaseDurationMs + 3 * timing.retryPeriodMs + 1_000,
      `took ${takeover} ms`,
    );
    b.stop.abort();
    assert.equal(await b.result, "stopped");
    timeline.assertNoOverlap();
  });

  it("a leader cut off from the API server stops working before its lease expires", async () => {
    const timeline = new Timeline();
    const lease = `le-partition-${Date.now()}`;
    const proxy = new TcpProxy("127.0.0.1", Number(new URL(cluster.server).port));
    const port = await proxy.start();
    const a = candidate("a", lease, timeline, `https://127.0.0.1:${port}`);
    await eventually("a to lead", () => leads(timeline, "a"));
    const b = candidate("b", lease, timeline);
    await proxy.stop();
    assert.equal(await a.result, "lost", "the partitioned leader kept leading");
    await eventually("b to take over", () => leads(timeline, "b"), 15_000);
    // a stopped before b started: the renew deadline is shorter than the lease duration.
    timeline.assertNoOverlap();
    b.stop.abort();
    await b.result;
    a.client.close();
  });

  it("releases the lease on a clean stop, so the standby takes over at once", async () => {
    const timeline = new Timeline();
    const lease = `le-release-${Date.now()}`;
    const a = candidate("a", lease, timeline);
    await eventually("a to lead", () => leads(timeline, "a"));
    const b = candidate("b", lease, timeline);
    await sleep(500);
    const stoppedAt = performance.now();
    a.stop.abort();
    assert.equal(await a.result, "stopped");
    await eventually("b to take over", () => leads(timeline, "b"), 10_000);
    const takeover = timeline.spans.find((s) => s.who === "b")!.from - stoppedAt;
    assert.ok(takeover < timing.leaseDurationMs, `a released lease took ${takeover} ms to pass on`);
    b.stop.abort();
    await b.result;
    timeline.assertNoOverlap();
  });
});
