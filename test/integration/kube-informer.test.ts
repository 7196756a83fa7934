import assert from "node:assert/strict";
import { KubeConfig } from "@kubernetes/client-node";
import { pino } from "pino";
import { devPaths } from "../../src/dev/dev-paths.js";
import { readDevState } from "../../src/dev/dev-state.js";
import { devUp } from "../../src/dev/dev-up.js";
import { stopProcess } from "../../src/dev/stop-process.js";
import { Informer } from "../../src/kube/informer.js";
import type { KubeObject } from "../../src/kube/kube-client.js";
import { isKubeError } from "../../src/kube/kube-error.js";
import { RestKubeClient } from "../../src/kube/rest-kube-client.js";
import {
  cacheDir,
  clusterStartTimeoutMs,
  clusters,
  stateDirOf,
  type DevCluster,
} from "../support/clusters.js";
import { captureLogger } from "../support/capture-logger.js";
import { eventually } from "../support/eventually.js";
import { TcpProxy } from "../support/tcp-proxy.js";
import { etcdCompact } from "../support/etcd-compact.js";

/** The cluster whose API server these tests restart; the others keep running. */
const restarted = "consumer";
const quiet = pino(
  { level: process.env.BINDOPS_TEST_LOG ?? "warn", base: null },
  pino.destination(2),
);

const waitFor = (what: string, condition: () => boolean, timeoutMs = 60_000): Promise<true> =>
  eventually(what, () => Promise.resolve(condition() || undefined), timeoutMs);

function clientFor(cluster: DevCluster, server = cluster.server): RestKubeClient {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: cluster.name, server, caData: cluster.caData }],
    users: [{ name: cluster.name, token: cluster.token }],
    contexts: [{ name: cluster.name, cluster: cluster.name, user: cluster.name }],
    currentContext: cluster.name,
  });
  return new RestKubeClient(kc, { requestTimeoutMs: 10_000 });
}

describe("informer against the real API server, under faults", function () {
  this.timeout(240_000);
  let cluster: DevCluster;
  let stateDir: string;
  let writer: RestKubeClient;
  let proxy: TcpProxy | undefined;
  let informer: Informer | undefined;
  let informerClient: RestKubeClient | undefined;
  let events: string[];
  let log: ReturnType<typeof captureLogger>;
  const namespace = `informer-${Date.now().toString(36)}`;
  const cm = (name: string, data: Record<string, string> = {}): KubeObject => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace },
    data,
  });
  const ref = (name: string) => ({ apiVersion: "v1", kind: "ConfigMap", name, namespace });

  before(async function () {
    this.timeout(clusterStartTimeoutMs);
    const all = await clusters();
    cluster = all[restarted];
    stateDir = await stateDirOf("current");
    writer = clientFor(cluster);
    await writer.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
  });

  after(async () => {
    await writer
      ?.delete({ apiVersion: "v1", kind: "Namespace", name: namespace })
      .catch(() => undefined);
    writer?.close();
  });

  afterEach(async () => {
    await informer?.stop();
    informerClient?.close();
    await proxy?.stop();
    informer = undefined;
    proxy = undefined;
  });

  /** Starts an informer on the test namespace, through a proxy when asked, and waits for sync. */
  async function startInformer(options: { viaProxy: boolean }): Promise<Informer> {
    let server = cluster.server;
    if (options.viaProxy) {
      proxy = new TcpProxy("127.0.0.1", Number(new URL(cluster.server).port));
      server = `https://127.0.0.1:${await proxy.start()}`;
    }
    informerClient = clientFor(cluster, server);
    log = captureLogger();
    events = [];
    informer = new Informer({
      client: informerClient,
      query: { apiVersion: "v1", kind: "ConfigMap", namespace },
      logger: log.logger,
      backoff: { initialMs: 200, maxMs: 2_000 },
      idleTimeoutMs: 20_000,
    });
    informer.addEventHandler({
      onAdd: (o) => events.push(`add ${o.metadata.name}`),
      onUpdate: (old, o) => {
        if (old !== o) events.push(`update ${o.metadata.name}`);
      },
      onDelete: (o) => events.push(`delete ${o.metadata.name}`),
    });
    informer.start();
    await informer.waitForSync();
    return informer;
  }

  /** Waits until the informer's cache holds exactly what the server lists, version for version. */
  async function converged(which: Informer): Promise<void> {
    await eventually(
      "the informer's cache to match the server",
      async () => {
        const live = await writer.list({ apiVersion: "v1", kind: "ConfigMap", namespace });
        const want = versions(live.items);
        const have = versions(which.list());
        return JSON.stringify(want) === JSON.stringify(have) ? true : undefined;
      },
      60_000,
    );
  }

  /** Stops the cluster's kube-apiserver process and starts it again with the same command line. */
  async function restartApiserver(between?: () => Promise<void>): Promise<void> {
    const state = await readDevState(devPaths(stateDir).stateFile);
    const record = state?.clusters.find((c) => c.name === cluster.name)?.apiserver;
    assert.ok(record, "the API server process is recorded in state.json");
    assert.notEqual(await stopProcess(record, { graceMs: 10_000 }), "not-running");
    await between?.();
    const result = await devUp({
      stateDir,
      clusters: ["provider", "consumer", "interop"],
      server: "current",
      cacheDir,
      env: process.env,
      logger: quiet,
      build: false,
    });
    assert.deepEqual(result.started, [`${cluster.name}-apiserver`]);
  }

  it("resumes after the connection is dropped, from its resourceVersion, missing nothing", async () => {
    await writer.create(cm("kept"));
    await writer.create(cm("changed"));
    await writer.create(cm("removed"));
    const watched = await startInformer({ viaProxy: true });
    await waitFor(
      "a watch through the proxy",
      () => watched.stats().watches === 1 && proxy!.connections > 0,
    );
    await proxy!.stop();
    await writer.patch(ref("changed"), { data: { v: "2" } });
    await writer.delete(ref("removed"));
    await writer.create(cm("added"));
    await waitFor("failed attempts while the proxy is gone", () => watched.stats().failures >= 2);
    await proxy!.start();
    await converged(watched);
    assert.deepEqual(events.slice(3).sort(), ["add added", "delete removed", "update changed"]);
    assert.equal(watched.stats().lists, 1, "resumed its watch: no relist");
  });

  it("survives a restart of the API server during a watch", async () => {
    for (const name of ["r1", "r2"]) await writer.create(cm(name));
    const watched = await startInformer({ viaProxy: false });
    await waitFor("watching", () => watched.stats().watches >= 1);
    const before = watched.stats();
    await restartApiserver(async () => {
      await waitFor(
        "failures while the server is down",
        () => watched.stats().failures > before.failures,
      );
    });
    await writer.patch(ref("r1"), { data: { after: "restart" } });
    await writer.delete(ref("r2"));
    await writer.create(cm("r3"));
    await converged(watched);
    const stats = watched.stats();
    assert.ok(stats.watches > before.watches, "watched again");
    assert.ok(stats.failures > before.failures, "the outage was noticed");
    assert.ok(
      log.records.some((r) => r.msg === "watch failed; retrying"),
      "the outage was seen and retried",
    );
  });

  it("relists when etcd compaction has left its resourceVersion behind, delivering only differences", async () => {
    for (const name of ["c-same", "c-changed", "c-removed"]) await writer.create(cm(name));
    const watched = await startInformer({ viaProxy: true });
    await waitFor(
      "a watch through the proxy",
      () => proxy!.connections > 0 && watched.stats().watches === 1,
    );
    const stale = watched.lastResourceVersion!;
    proxy!.freeze();
    events.length = 0;
    await writer.patch(ref("c-changed"), { data: { v: "2" } });
    await writer.delete(ref("c-removed"));
    await writer.create(cm("c-added"));
    // Many more writes, so that the history the informer needs is long gone.
    for (let i = 0; i < 20; i++) await writer.patch(ref("c-changed"), { data: { v: `x${i}` } });
    const compacted = await etcdCompact(stateDir);
    assert.ok(compacted > Number(stale));
    // A fresh API server fills its watch cache from etcd after the compaction.
    await restartApiserver();
    proxy!.cut();
    proxy!.thaw();
    await converged(watched);
    assert.ok(watched.stats().relists >= 1, "relisted");
    assert.ok(isKubeError(watched.stats().lastError, "Gone"), "because the server answered 410");
    assert.ok(
      log.records.some((r) => r.msg === "resourceVersion expired; listing again"),
      "and said so",
    );
    assert.equal(watched.stats().lists, 1 + watched.stats().relists);
    assert.deepEqual(events.sort(), ["add c-added", "delete c-removed", "update c-changed"]);
  });
});

function versions(objects: KubeObject[]): [string, string][] {
  return objects
    .map((o) => [o.metadata.name, o.metadata.resourceVersion ?? ""] as [string, string])
    .sort(([a], [b]) => a.localeCompare(b));
}
