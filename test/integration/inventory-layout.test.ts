import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { Reconciler } from "../../src/cli/reconciler.js";
import { bindingShardKey, shardOf } from "../../src/core/shard-of.js";
import { readRevisionSnapshot } from "../../src/git/read-revision-snapshot.js";
import type { ConnectedCluster } from "../../src/kube/connect-cluster.js";
import { getOrUndefined } from "../../src/kube/not-found.js";
import { objectRefOf } from "../../src/kube/object-ref-of.js";
import { parseInventory } from "../../src/plan/inventory.js";
import { clusterStartTimeoutMs, connectedClusters } from "../support/clusters.js";
import { examplesRemote, git, type ExamplesRemote } from "../support/examples-remote.js";
import { repoRoot } from "../support/repo-root.js";
import { runCli } from "../support/run-cli.js";
import { deleteShardInventories } from "../support/shard-replicas.js";

const kb = "kube-bind.io/v1alpha2";

/**
 * Changing the layout of the inventories (`bindops reconcile` or `--leader-elect`, one inventory;
 * `--shards 2`, one per shard): the new layout takes the old inventory over, so that a binding
 * git drops in the same revision is still pruned, and the old inventory goes once emptied.
 */
describe("inventories: a change of layout takes the old inventory over (real API servers, real git)", function () {
  this.timeout(300_000);
  let dir: string;
  let repo: ExamplesRemote;
  let kubeconfigDir: string;
  let provider: ConnectedCluster;
  let consumer: ConnectedCluster;

  const inventoryOf = async (cluster: ConnectedCluster, name: string) => {
    const object = await getOrUndefined(cluster.client, {
      apiVersion: "v1",
      kind: "ConfigMap",
      namespace: "bindops-system",
      name,
    });
    return object === undefined ? undefined : parseInventory(object).map((k) => k.name);
  };
  const requestsNamed = async (name: string) =>
    (await provider.client.list({ apiVersion: kb, kind: "APIServiceExportRequest" })).items.filter(
      (r) => r.metadata.name === name,
    );

  before(async function () {
    this.timeout(clusterStartTimeoutMs);
    ({ kubeconfigDir, provider, consumer } = await connectedClusters());
    dir = mkdtempSync(path.join(tmpdir(), "bindops-inventory-layout-"));
    const orders = readFileSync(
      path.join(repoRoot, "examples/consumers/orders/bindings/orders-db.yaml"),
      "utf8",
    );
    repo = examplesRemote(dir, (work) =>
      writeFileSync(
        path.join(work, "consumers/orders/bindings/layout-db.yaml"),
        orders
          .replace("name: orders-db", "name: layout-db")
          .replace("- name: orders", "- name: layout")
          .replace("app: orders", "app: layout"),
      ),
    );
  });
  after(async () => {
    for (const request of await requestsNamed("layout-db").catch(() => [])) {
      await provider.client.delete(objectRefOf(request)).catch(() => undefined);
    }
    for (const cluster of [provider, consumer]) {
      if (!cluster) continue;
      await deleteShardInventories(cluster.client, 2);
      cluster.client.close();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("prunes a binding dropped while switching to --shards 2, once the old layout stopped, and deletes the old inventory", async () => {
    // One replica applies three bindings into bindops-inventory.
    const first = await runCli(
      ["reconcile", "--repo", repo.work, "--kubeconfig-dir", kubeconfigDir],
      { timeoutMs: 200_000 },
    );
    assert.equal(first.code, 0, first.stderr);
    assert.equal((await requestsNamed("layout-db")).length, 1);
    assert.ok((await inventoryOf(provider, "bindops-inventory"))?.includes("layout-db"));

    // The switch to two shards comes with a revision that drops layout-db.
    unlinkSync(path.join(repo.work, "consumers/orders/bindings/layout-db.yaml"));
    repo.push("unbind layout-db");
    const snapshot = await readRevisionSnapshot(repo.work, "HEAD");
    const revision = git(repo.work, "rev-parse", "HEAD").trim();
    const reconcilerWith = (takeoverAfterMs?: number) =>
      new Reconciler({
        kubeconfigDir,
        backend: "builtin",
        requestTimeoutMs: 60_000,
        ...(takeoverAfterMs === undefined ? {} : { takeoverAfterMs }),
        env: {},
        cwd: dir,
        logger: pino({ level: "silent" }),
        signal: AbortSignal.timeout(240_000),
      });
    const reconcileShards = async (reconciler: Reconciler) => {
      try {
        for (const index of [0, 1]) {
          const result = await reconciler.reconcile(snapshot, revision, { index, count: 2 });
          assert.deepEqual(result.failed, [], `shard ${index + 1}: ${JSON.stringify(result)}`);
        }
      } finally {
        await reconciler.close();
      }
    };
    // Just recorded by the old layout (a replica of it may still run, on an older revision):
    // left alone for now.
    await reconcileShards(reconcilerWith());
    assert.equal((await requestsNamed("layout-db")).length, 1, "pruned while the old layout ran");
    assert.ok((await inventoryOf(provider, "bindops-inventory"))?.includes("layout-db"));

    // Once the old layout has not recorded it for the takeover delay (here none), it is taken over.
    await reconcileShards(reconcilerWith(0));
    // layout-db went with its export, though no shard's own inventory ever listed it.
    assert.deepEqual(await requestsNamed("layout-db"), []);
    for (const cluster of [provider, consumer]) {
      assert.equal(
        await inventoryOf(cluster, "bindops-inventory"),
        undefined,
        "the old inventory is deleted once taken over",
      );
    }
    for (const binding of ["orders-db", "billing-db"]) {
      const shard = shardOf(bindingShardKey("consumer", binding), 2);
      const listed = await inventoryOf(provider, `bindops-inventory-shard-${shard}-of-2`);
      assert.ok(listed?.includes(binding), `${binding} in shard ${shard + 1}'s inventory`);
    }
    assert.equal((await requestsNamed("orders-db")).length, 1, "kept bindings stay");
  });
});
