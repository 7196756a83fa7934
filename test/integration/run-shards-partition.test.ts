import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { connectCluster, type ConnectedCluster } from "../../src/kube/connect-cluster.js";
import { objectRefOf } from "../../src/kube/object-ref-of.js";
import { clusterStartTimeoutMs, clusters } from "../support/clusters.js";
import { eventually } from "../support/eventually.js";
import { examplesRemote, type ExamplesRemote } from "../support/examples-remote.js";
import { repoRoot } from "../support/repo-root.js";
import type { RunProcess } from "../support/run-process.js";
import {
  deleteShardInventories,
  killReplicas,
  shardHolder,
  startShardReplica,
} from "../support/shard-replicas.js";
import { TcpProxy } from "../support/tcp-proxy.js";

const shards = 2;
const leaseId = "shards-partition-test";
const running = "running the backend and konnector (shard 1)";
const stopped = "backend and konnector stopped: shard 1 moved";

/**
 * `bindops run --shards 2`, with the replica holding shard 1 (and so the backend and konnector)
 * cut off from the cluster that holds the Leases: it stops its backend and konnector before the
 * other replica starts them, the other takes its shards over and serves new bindings, and once
 * the network is back the two share the shards again without the controllers moving.
 */
describe("bindops run --shards: a replica cut off from the Leases (real API servers, real git)", function () {
  this.timeout(600_000);
  let dir: string;
  let repo: ExamplesRemote;
  let kubeconfigDir: string;
  let provider: ConnectedCluster;
  let proxy: TcpProxy;
  const replicas: RunProcess[] = [];

  const holder = (shard: number) => shardHolder(provider.client, leaseId, shard);
  const holders = async () => Promise.all([0, 1].map(holder));
  /** When a replica first logged `message` (its log's own clock, ms since the epoch). */
  const loggedAt = (replica: RunProcess, message: string) =>
    replica.lines.find((l) => l.msg === message)?.time as number | undefined;
  const start = (identity: string, leaseCluster: string) => {
    const replica = startShardReplica({
      remote: repo.remote,
      kubeconfigDir,
      shards,
      leaseId,
      leaseCluster,
      identity,
      cacheDir: path.join(dir, `cache-${identity}`),
    });
    replicas.push(replica);
    return replica;
  };

  before(async function () {
    this.timeout(clusterStartTimeoutMs);
    const c = await clusters();
    const devDir = path.dirname(c.provider.kubeconfigPath);
    provider = await connectCluster("provider", { kubeconfigDir: devDir, env: {} });
    await provider.client.apply({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "bindops-system" },
    });
    dir = mkdtempSync(path.join(tmpdir(), "bindops-shards-partition-"));
    // The provider twice: directly, and as "leases-a" through a proxy the test can freeze.
    kubeconfigDir = path.join(dir, "kubeconfigs");
    mkdirSync(kubeconfigDir);
    copyFileSync(c.provider.kubeconfigPath, path.join(kubeconfigDir, "provider.kubeconfig"));
    copyFileSync(c.consumer.kubeconfigPath, path.join(kubeconfigDir, "consumer.kubeconfig"));
    const providerConfig = readFileSync(c.provider.kubeconfigPath, "utf8");
    const server = /server: (https:\/\/127\.0\.0\.1:(\d+))/.exec(providerConfig);
    assert.ok(server, "the provider's kubeconfig names its server");
    proxy = new TcpProxy("127.0.0.1", Number(server[2]));
    const proxied = await proxy.start();
    writeFileSync(
      path.join(kubeconfigDir, "leases-a.kubeconfig"),
      providerConfig.replace(server[1]!, `https://127.0.0.1:${proxied}`),
    );
    repo = examplesRemote(dir);
  });
  after(async () => {
    await killReplicas(replicas);
    // The konnector reported on the examples' bindings; later tests reconcile them without one.
    const consumer = await connectCluster("consumer", { kubeconfigDir, env: {} }).catch(
      () => undefined,
    );
    for (const name of ["orders-db", "billing-db"]) {
      const ref = { apiVersion: "kube-bind.io/v1alpha2", kind: "APIServiceBinding", name };
      await consumer?.client
        .patchStatus(ref, { status: { conditions: [] } })
        .catch(() => undefined);
    }
    consumer?.client.close();
    await proxy?.stop();
    if (provider) {
      const { items } = await provider.client.list({
        apiVersion: "kube-bind.io/v1alpha2",
        kind: "APIServiceExportRequest",
      });
      for (const request of items.filter((r) => r.metadata.name === "partition-db")) {
        await provider.client.delete(objectRefOf(request)).catch(() => undefined);
      }
      await deleteShardInventories(provider.client, shards);
      provider.client.close();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("stops the cut-off replica's backend and konnector before the other starts them, and recovers", async () => {
    // a alone holds both shards, and so runs the backend and konnector.
    const a = start("replica-a", "leases-a");
    await eventually(
      "a to hold both shards",
      async () => ((await holders()).join() === "replica-a,replica-a" ? true : undefined),
      120_000,
    );
    await eventually("a to run the backend and konnector", () =>
      Promise.resolve(a.logged(running) || undefined),
    );
    // b joins: a gives shard 2 back and keeps shard 1, with the controllers.
    const b = start("replica-b", "provider");
    await eventually(
      "one shard each",
      async () => ((await holders()).join() === "replica-a,replica-b" ? true : undefined),
      60_000,
    );
    assert.ok(!b.logged(running), "b started the controllers while a held shard 1");

    // a is cut off from the Leases (packets dropped, connections left hanging).
    proxy.freeze();
    await eventually(
      "b to take shard 1 over",
      async () => ((await holder(0)) === "replica-b" ? true : undefined),
      60_000,
    );
    await eventually(
      "b to run the backend and konnector",
      () => Promise.resolve(b.logged(running) || undefined),
      60_000,
    );
    const stoppedAt = loggedAt(a, stopped);
    const startedAt = loggedAt(b, running);
    assert.ok(
      stoppedAt !== undefined,
      `a never stopped its controllers:\n${a.stderr.slice(-3000)}`,
    );
    assert.ok(
      stoppedAt <= startedAt!,
      `a stopped its controllers at ${stoppedAt}, after b started them at ${startedAt}`,
    );

    // b's konnector serves the consumer, and its backend answers a new binding's request.
    await eventually(
      "b's konnector to connect to the provider",
      () =>
        Promise.resolve(
          b.lines.some((l) => l.component === "konnector" && l.msg === "provider connected") ||
            undefined,
        ),
      120_000,
    );
    const orders = readFileSync(
      path.join(repoRoot, "examples/consumers/orders/bindings/orders-db.yaml"),
      "utf8",
    );
    writeFileSync(
      path.join(repo.work, "consumers/orders/bindings/partition-db.yaml"),
      orders
        .replace("name: orders-db", "name: partition-db")
        .replace("- name: orders", "- name: partition")
        .replace("app: orders", "app: partition"),
    );
    repo.push("bind partition-db");
    await eventually(
      "partition-db's request to succeed",
      async () => {
        const { items } = await provider.client.list({
          apiVersion: "kube-bind.io/v1alpha2",
          kind: "APIServiceExportRequest",
        });
        const request = items.find((r) => r.metadata.name === "partition-db");
        return (request?.status as { phase?: string } | undefined)?.phase === "Succeeded"
          ? true
          : undefined;
      },
      120_000,
    );

    // The network is back: a takes a shard again, and the controllers stay with b.
    proxy.thaw();
    proxy.cut();
    await eventually(
      "one shard each again",
      async () => ((await holders()).join() === "replica-b,replica-a" ? true : undefined),
      90_000,
    );
    const starts = (r: RunProcess) => r.lines.filter((l) => l.msg === running).length;
    assert.equal(starts(a), 1, "a started the controllers again without shard 1");
    assert.equal(starts(b), 1);
    for (const r of [a, b]) {
      assert.doesNotMatch(r.stderr, /"level":60/, "no replica crashed");
    }
  });
});
