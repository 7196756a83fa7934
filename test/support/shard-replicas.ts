import type { KubeClient } from "../../src/kube/kube-client.js";
import { getOrUndefined } from "../../src/kube/not-found.js";
import { hermeticGitEnv } from "./examples-remote.js";
import { RunProcess } from "./run-process.js";

/** Who holds shard `shard` (0-based) of a `--shards` group, by its Lease; none when it is free. */
export async function shardHolder(
  client: KubeClient,
  leaseId: string,
  shard: number,
): Promise<string | undefined> {
  const lease = await getOrUndefined(client, {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    namespace: "bindops-system",
    name: `${leaseId}-shard-${shard}`,
  });
  return (lease?.spec as { holderIdentity?: string } | undefined)?.holderIdentity;
}

export interface ShardReplicaOptions {
  /** The bare remote the replica follows (branch main). */
  remote: string;
  kubeconfigDir: string;
  shards: number;
  leaseId: string;
  /** The cluster (of `kubeconfigDir`) that holds the Leases. */
  leaseCluster: string;
  /** The replica's identity (its POD_NAME). */
  identity: string;
  /** Where its git cache goes: one per replica. */
  cacheDir: string;
  /** More flags, such as `--no-konnector`. */
  args?: string[];
}

/**
 * A `bindops run --shards` replica with short Lease timings (4 s lease, 3 s renew deadline, 1 s
 * retries), a 5 s interval and health and metrics endpoints on free ports.
 */
export function startShardReplica(options: ShardReplicaOptions): RunProcess {
  return new RunProcess(
    [
      "--repo",
      options.remote,
      "--branch",
      "main",
      "--kubeconfig-dir",
      options.kubeconfigDir,
      ...(options.args ?? []),
      "--interval",
      "5",
      "--shards",
      String(options.shards),
      "--leader-election-cluster",
      options.leaseCluster,
      "--leader-election-id",
      options.leaseId,
      "--lease-duration",
      "4",
      "--renew-deadline",
      "3",
      "--retry-period",
      "1",
      "--health-addr",
      "127.0.0.1:0",
      "--metrics-addr",
      "127.0.0.1:0",
    ],
    { ...hermeticGitEnv, BINDOPS_CACHE_DIR: options.cacheDir, POD_NAME: options.identity },
  );
}

/** Kills what is left of the replicas and waits for them to exit. */
export async function killReplicas(replicas: readonly RunProcess[]): Promise<void> {
  for (const r of replicas) {
    if (r.child.exitCode === null) r.child.kill("SIGKILL");
    await r.exited();
  }
}

/** Deletes the per-shard inventories of a `--shards` layout, so later tests find none. */
export async function deleteShardInventories(client: KubeClient, shards: number): Promise<void> {
  for (let s = 0; s < shards; s++) {
    await client
      .delete({
        apiVersion: "v1",
        kind: "ConfigMap",
        namespace: "bindops-system",
        name: `bindops-inventory-shard-${s}-of-${shards}`,
      })
      .catch(() => undefined);
  }
}
