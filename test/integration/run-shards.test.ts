import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { bindingShardKey, shardOf } from "../../src/core/shard-of.js";
import { connectCluster, type ConnectedCluster } from "../../src/kube/connect-cluster.js";
import { getOrUndefined } from "../../src/kube/not-found.js";
import { objectRefOf } from "../../src/kube/object-ref-of.js";
import { parseInventory } from "../../src/plan/inventory.js";
import { clusterStartTimeoutMs, clusters } from "../support/clusters.js";
import { eventually } from "../support/eventually.js";
import { examplesRemote, git, type ExamplesRemote } from "../support/examples-remote.js";
import { repoRoot } from "../support/repo-root.js";
import type { RunProcess } from "../support/run-process.js";
import {
  deleteShardInventories,
  killReplicas,
  shardHolder,
  startShardReplica,
} from "../support/shard-replicas.js";

const shards = 3;
const leaseId = "shards-test";

/**
 * `bindops run --shards 3`: three replicas split a repository of 30 bindings, each reconciling
 * and committing the status of its own share, and a killed replica's shard is taken over.
 */
describe("bindops run --shards: replicas share the bindings (real API servers, real git)", function () {
  this.timeout(600_000);
  let dir: string;
  let remote: string;
  let work: string;
  let repo: ExamplesRemote;
  let kubeconfigDir: string;
  let provider: ConnectedCluster;
  const replicas: RunProcess[] = [];
  const ordersBinding = readFileSync(
    path.join(repoRoot, "examples/consumers/orders/bindings/orders-db.yaml"),
    "utf8",
  );
  const writeBinding = (name: string) =>
    writeFileSync(
      path.join(work, "consumers/apps/bindings", `${name}.yaml`),
      ordersBinding
        .replace("name: orders-db", `name: ${name}`)
        .replace("- name: orders", `- name: ${name}`)
        .replace("app: orders", `app: ${name}`),
    );

  const inventory = async (shard: number) =>
    parseInventory(
      await getOrUndefined(provider.client, {
        apiVersion: "v1",
        kind: "ConfigMap",
        namespace: "bindops-system",
        name: `bindops-inventory-shard-${shard}-of-${shards}`,
      }),
    )
      .filter((k) => k.kind === "APIServiceExportRequest")
      .map((k) => k.name)
      .sort();
  const statusOnRemote = () =>
    git(remote, "ls-tree", "--name-only", "main", "status/consumer/")
      .split("\n")
      .filter(Boolean)
      .map((p) => path.basename(p, ".yaml"))
      .sort();
  const holder = (shard: number) => shardHolder(provider.client, leaseId, shard);
  const start = (identity: string) => {
    const replica = startShardReplica({
      remote,
      kubeconfigDir,
      shards,
      leaseId,
      leaseCluster: "provider",
      identity,
      cacheDir: path.join(dir, `cache-${identity}`),
      args: ["--no-konnector"],
    });
    replicas.push(replica);
    return replica;
  };

  before(async function () {
    this.timeout(clusterStartTimeoutMs);
    kubeconfigDir = path.dirname((await clusters()).provider.kubeconfigPath);
    provider = await connectCluster("provider", { kubeconfigDir, env: {} });
    await provider.client.apply({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "bindops-system" },
    });
    dir = mkdtempSync(path.join(tmpdir(), "bindops-shards-"));
    repo = examplesRemote(dir, (copy) => {
      work = copy;
      mkdirSync(path.join(copy, "consumers/apps/bindings"), { recursive: true });
      for (let i = 1; i <= 28; i++) writeBinding(`app-${String(i).padStart(2, "0")}`);
    });
    remote = repo.remote;
  });
  after(async () => {
    await killReplicas(replicas);
    if (provider) {
      // The thirty bindings go, so that later tests find the clusters as they were.
      const { items } = await provider.client.list({
        apiVersion: "kube-bind.io/v1alpha2",
        kind: "APIServiceExportRequest",
      });
      for (const request of items.filter((r) => /^(app|late)-/.test(r.metadata.name))) {
        await provider.client.delete(objectRefOf(request)).catch(() => undefined);
      }
      await deleteShardInventories(provider.client, shards);
      provider.client.close();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("splits 30 bindings among three replicas, and a killed replica's share is taken over", async () => {
    const all = [
      ...git(work, "ls-files", "consumers")
        .split("\n")
        .filter((f) => f.includes("/bindings/"))
        .map((f) => path.basename(f, ".yaml")),
    ].sort();
    assert.equal(all.length, 30);
    const byShard = (shard: number) =>
      all.filter((b) => shardOf(bindingShardKey("consumer", b), shards) === shard);
    for (let s = 0; s < shards; s++) assert.ok(byShard(s).length > 0, `shard ${s} has bindings`);

    const [a, b, c] = ["replica-a", "replica-b", "replica-c"].map(start) as [
      RunProcess,
      RunProcess,
      RunProcess,
    ];
    // Each shard's inventory lists exactly its bindings' requests: the three split the thirty.
    for (let s = 0; s < shards; s++) {
      await eventually(
        `shard ${s + 1}'s bindings applied`,
        async () => ((await inventory(s)).join() === byShard(s).join() ? true : undefined),
        300_000,
      );
    }
    const holders = await Promise.all([0, 1, 2].map(holder));
    assert.deepEqual(
      [...holders].sort(),
      ["replica-a", "replica-b", "replica-c"],
      `one shard each: ${holders.join(", ")}`,
    );
    await eventually(
      "every binding's status committed to the remote",
      () => Promise.resolve(statusOnRemote().join() === all.join() ? true : undefined),
      120_000,
    );

    // The replica holding shard 2 dies: another takes its shard over and works it.
    const victim = { "replica-a": a, "replica-b": b, "replica-c": c }[holders[1]!]!;
    victim.child.kill("SIGKILL");
    await victim.exited();
    const survivor = await eventually(
      "shard 2 taken over",
      async () => {
        const now = await holder(1);
        return now && now !== holders[1] ? now : undefined;
      },
      60_000,
    );
    assert.ok(["replica-a", "replica-b", "replica-c"].includes(survivor));
    let name = "";
    for (let i = 0; name === ""; i++) {
      if (shardOf(bindingShardKey("consumer", `late-${i}`), shards) === 1) name = `late-${i}`;
    }
    writeBinding(name);
    repo.push(`bind ${name}`);
    await eventually(
      `${name}, of the taken-over shard, applied`,
      async () => ((await inventory(1)).includes(name) ? true : undefined),
      120_000,
    );
    await eventually(
      `${name}'s status committed`,
      () => Promise.resolve(statusOnRemote().includes(name) ? true : undefined),
      120_000,
    );
    for (const r of [a, b, c]) {
      if (r === victim) continue;
      assert.doesNotMatch(r.stderr, /"level":(50|60)[^\n]*status/, "no status commit failed");
    }

    // A replacement replica joins: one of the others gives a shard back, so that each of the
    // three holds one again; a fourth replica holds none and waits, ready, as a standby.
    const replacement = start("replica-d");
    const live = ["replica-a", "replica-b", "replica-c", "replica-d"].filter(
      (r) => r !== holders[1],
    );
    await eventually(
      "one shard each again",
      async () => {
        const now = await Promise.all([0, 1, 2].map(holder));
        return [...now].sort().join() === [...live].sort().join() ? true : undefined;
      },
      90_000,
    );
    await eventually("the replacement to say so", () =>
      Promise.resolve(replacement.logged("took shard") || undefined),
    );
    const standby = start("replica-e");
    const health = await eventually("the standby's health address", () =>
      Promise.resolve(standby.address("health")),
    );
    await eventually(
      "the standby ready without a shard",
      async () => ((await fetch(`${health}/readyz`)).status === 200 ? true : undefined),
      60_000,
    );
    assert.deepEqual(
      [...(await Promise.all([0, 1, 2].map(holder)))].sort(),
      [...live].sort(),
      "the standby took no shard from the others",
    );
  });
});
