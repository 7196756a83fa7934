import assert from "node:assert/strict";
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "yaml";
import { connectCluster, type ConnectedCluster } from "../../src/kube/connect-cluster.js";
import { clusterStartTimeoutMs, clusters } from "../support/clusters.js";
import { git } from "../support/git.js";
import { repoRoot } from "../support/repo-root.js";
import { runCli, type CliResult } from "../support/run-cli.js";
import { TcpProxy } from "../support/tcp-proxy.js";

const kb = "kube-bind.io/v1alpha2";

interface StatusDoc {
  status: {
    phase: string;
    conditions: { type: string; status: string; reason: string; message?: string }[];
  };
}

/**
 * Three consumers of one provider: `consumer` reached through a proxy the test can take away,
 * `far` whose API server never answers (a closed port), and the provider itself.
 */
describe("bindops reconcile: an unreachable consumer holds back only its own bindings (real API servers)", function () {
  this.timeout(180_000);
  let dir: string;
  let repo: string;
  let kubeconfigDir: string;
  let provider: ConnectedCluster;
  let proxy: TcpProxy;
  const commit = (message: string) => {
    git(repo, "add", "-A");
    git(repo, "commit", "-qm", message);
  };
  const reconcile = (): Promise<CliResult> =>
    runCli(["reconcile", "--repo", repo, "--kubeconfig-dir", kubeconfigDir, "--status-dir", repo], {
      timeoutMs: 170_000,
    });
  const status = (consumer: string, binding: string) =>
    parse(
      readFileSync(path.join(repo, "status", consumer, `${binding}.yaml`), "utf8"),
    ) as StatusDoc;
  const ready = (doc: StatusDoc) => doc.status.conditions.find((c) => c.type === "Ready");
  const requests = async () =>
    (
      await provider.client.list({
        apiVersion: kb,
        kind: "APIServiceExportRequest",
        labelSelector: "bindops.dev/managed-by=bindops",
      })
    ).items;

  before(async function () {
    this.timeout(clusterStartTimeoutMs);
    const c = await clusters();
    const devDir = path.dirname(c.provider.kubeconfigPath);
    provider = await connectCluster("provider", { kubeconfigDir: devDir, env: {} });
    dir = mkdtempSync(path.join(tmpdir(), "bindops-unreachable-"));
    kubeconfigDir = path.join(dir, "kubeconfigs");
    mkdirSync(kubeconfigDir);
    copyFileSync(c.provider.kubeconfigPath, path.join(kubeconfigDir, "provider.kubeconfig"));
    const consumerConfig = readFileSync(c.consumer.kubeconfigPath, "utf8");
    const server = /server: (https:\/\/127\.0\.0\.1:(\d+))/.exec(consumerConfig);
    assert.ok(server, "the consumer's kubeconfig names its server");
    proxy = new TcpProxy("127.0.0.1", Number(server[2]));
    const proxied = await proxy.start();
    writeFileSync(
      path.join(kubeconfigDir, "consumer.kubeconfig"),
      consumerConfig.replace(server[1]!, `https://127.0.0.1:${proxied}`),
    );
    const closed = new TcpProxy("127.0.0.1", 9);
    const closedPort = await closed.start();
    await closed.stop();
    writeFileSync(
      path.join(kubeconfigDir, "far.kubeconfig"),
      consumerConfig.replace(server[1]!, `https://127.0.0.1:${closedPort}`),
    );

    repo = path.join(dir, "repo");
    cpSync(path.join(repoRoot, "examples"), repo, { recursive: true });
    const config = path.join(repo, "bindops.yaml");
    writeFileSync(
      config,
      readFileSync(config, "utf8").replace(
        "    consumer:\n      role: consumer\n",
        "    consumer:\n      role: consumer\n    far:\n      role: consumer\n",
      ),
    );
    const orders = readFileSync(
      path.join(repo, "consumers", "orders", "bindings", "orders-db.yaml"),
      "utf8",
    );
    mkdirSync(path.join(repo, "consumers", "far", "bindings"), { recursive: true });
    writeFileSync(
      path.join(repo, "consumers", "far", "bindings", "far-db.yaml"),
      orders
        .replace("name: orders-db", "name: far-db")
        .replace("consumer: consumer", "consumer: far"),
    );
    git(repo, "init", "-q", "-b", "main");
    commit("three consumers");
  });
  after(async () => {
    provider?.client.close();
    await proxy?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("binds the reachable consumer's bindings, says why far's is not, and exits 4", async () => {
    const result = await reconcile();
    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stdout, /unreachable far: .*127\.0\.0\.1/);
    for (const binding of ["orders-db", "billing-db"]) {
      assert.equal(status("consumer", binding).status.phase, "Bound", binding);
    }
    const far = status("far", "far-db");
    assert.equal(far.status.phase, "Failed");
    assert.equal(ready(far)?.reason, "ClusterUnreachable");
    assert.match(
      ready(far)?.message ?? "",
      /until cluster far can be reached: .*connection refused/,
    );
    const names = (await requests()).map((r) => r.metadata.name);
    assert.ok(names.includes("orders-db") && names.includes("billing-db"), names.join(", "));
    assert.ok(!names.includes("far-db"), "nothing is requested for a consumer not reached");
    commit("status [skip ci]");
  });

  it("keeps a consumer's objects while it is away, writes its status once, and binds again when it is back", async () => {
    const uids = (await requests()).map((r) => `${r.metadata.name}@${r.metadata.uid}`).sort();
    await proxy.stop();
    const away = await reconcile();
    assert.equal(away.code, 4, away.stderr);
    assert.doesNotMatch(away.stdout, /pruned/, "nothing of a binding held back is pruned");
    assert.deepEqual(
      (await requests()).map((r) => `${r.metadata.name}@${r.metadata.uid}`).sort(),
      uids,
      "the requests on the provider stay as they were",
    );
    const orders = status("consumer", "orders-db");
    assert.equal(ready(orders)?.reason, "ClusterUnreachable");
    assert.match(ready(orders)?.message ?? "", /until cluster consumer can be reached/);
    commit("status [skip ci]");
    const again = await reconcile();
    assert.equal(again.code, 4, again.stderr);
    assert.equal(git(repo, "status", "--porcelain"), "", "the same failure gives the same status");

    await proxy.start();
    const back = await reconcile();
    assert.equal(back.code, 4, back.stderr);
    assert.equal(status("consumer", "orders-db").status.phase, "Bound");
    assert.deepEqual(
      (await requests()).map((r) => `${r.metadata.name}@${r.metadata.uid}`).sort(),
      uids,
      "the same requests serve the bindings",
    );
  });
});
