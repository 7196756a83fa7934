import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { connectCluster, type ConnectedCluster } from "../../src/kube/connect-cluster.js";
import { clusterStartTimeoutMs, clusters } from "../support/clusters.js";
import { eventually } from "../support/eventually.js";
import { examplesRemote, git, hermeticGitEnv } from "../support/examples-remote.js";
import { RunProcess } from "../support/run-process.js";

const secret = "webhook-secret-for-tests";

describe("bindops run as a server: endpoints, leader election, webhook (real API server, real git)", function () {
  this.timeout(240_000);
  let dir: string;
  let remote: string;
  let work: string;
  let kubeconfigDir: string;
  let env: NodeJS.ProcessEnv;
  let provider: ConnectedCluster;
  const running: RunProcess[] = [];
  const start = (extra: string[]) => {
    const p = new RunProcess(
      [
        "--repo",
        remote,
        "--branch",
        "main",
        "--kubeconfig-dir",
        kubeconfigDir,
        "--no-konnector",
        "--health-addr",
        "127.0.0.1:0",
        "--metrics-addr",
        "127.0.0.1:0",
        "--webhook-addr",
        "127.0.0.1:0",
        ...extra,
      ],
      env,
    );
    running.push(p);
    return p;
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
    dir = mkdtempSync(path.join(tmpdir(), "bindops-run-server-"));
    env = {
      ...hermeticGitEnv,
      BINDOPS_CACHE_DIR: path.join(dir, "cache"),
      BINDOPS_WEBHOOK_SECRET: secret,
    };
    ({ remote, work } = examplesRemote(dir));
  });
  afterEach(async () => {
    for (const p of running.splice(0)) {
      if (p.child.exitCode === null) p.child.kill("SIGKILL");
      await p.exited();
    }
  });
  after(() => {
    provider?.client.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("answers /healthz, /readyz once the first revision is applied, and /metrics", async () => {
    const run = start(["--interval", "60"]);
    const health = await eventually("the health address", () =>
      Promise.resolve(run.address("health")),
    );
    assert.equal((await fetch(`${health}/healthz`)).status, 200);
    await eventually(
      "ready",
      async () => ((await fetch(`${health}/readyz`)).status === 200 ? true : undefined),
      120_000,
    );
    const metrics = await (await fetch(`${run.address("metrics")}/metrics`)).text();
    assert.match(
      metrics,
      /controller_runtime_reconcile_total\{controller="bindops-run",result="success"\} 1/,
    );
    assert.match(metrics, /bindops_applied_revision_info\{revision="[0-9a-f]{40}"\} 1/);
    assert.match(metrics, /bindops_git_fetch_duration_seconds_count 1/);
    assert.match(metrics, /workqueue_depth\{name="backend-request"\}/);
    run.child.kill("SIGTERM");
    assert.equal(await run.exited(), 0, run.stderr);
  });

  it("a signed push webhook triggers a reconcile at once; a forged one is refused", async () => {
    const run = start(["--interval", "300"]);
    const health = await eventually("the health address", () =>
      Promise.resolve(run.address("health")),
    );
    await eventually(
      "ready",
      async () => ((await fetch(`${health}/readyz`)).status === 200 ? true : undefined),
      120_000,
    );
    // A new commit on the remote: only the webhook can make the loop see it before 300 s.
    git(work, "pull", "-q", "--rebase", "origin", "main");
    const readme = path.join(work, "README.md");
    appendFileSync(readme, "\nA line added to trigger a reconcile.\n");
    git(
      work,
      "-c",
      "user.name=dev",
      "-c",
      "user.email=dev@example.invalid",
      "commit",
      "-qam",
      "docs",
    );
    git(work, "push", "-q", "origin", "main");
    const pushed = git(remote, "rev-parse", "main");
    const webhook = `${run.address("webhook")}/webhook/github`;
    const body = JSON.stringify({ ref: "refs/heads/main", after: pushed });
    const forged = await fetch(webhook, {
      method: "POST",
      body,
      headers: { "x-github-event": "push", "x-hub-signature-256": `sha256=${"0".repeat(64)}` },
    });
    assert.equal(forged.status, 401);
    const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
    const sentAt = Date.now();
    const accepted = await fetch(webhook, {
      method: "POST",
      body,
      headers: { "x-github-event": "push", "x-hub-signature-256": signature },
    });
    assert.equal(accepted.status, 202);
    // bindops fetched the new commit, reconciled it and committed status on top of it, long
    // before the 300 s interval.
    await eventually(
      "the status commit on top of the pushed commit",
      () => {
        const parent = git(remote, "log", "-1", "--format=%P", "main");
        return Promise.resolve(parent === pushed ? true : undefined);
      },
      60_000,
    );
    assert.ok(Date.now() - sentAt < 60_000);
    run.child.kill("SIGTERM");
    assert.equal(await run.exited(), 0, run.stderr);
  });

  it("fails over between two processes with --leader-elect: never two leaders, a standby takes over after SIGKILL", async () => {
    const lease = `bindops-test-${Date.now()}`;
    const electionArgs = [
      "--interval",
      "60",
      "--leader-elect",
      "--leader-election-cluster",
      "provider",
      "--leader-election-id",
      lease,
      "--lease-duration",
      "4",
      "--renew-deadline",
      "3",
      "--retry-period",
      "0.5",
    ];
    const a = start(electionArgs);
    await eventually(
      "a to lead",
      () => Promise.resolve(a.logged("became leader") ? true : undefined),
      30_000,
    );
    const b = start(electionArgs);
    await eventually(
      "b to wait",
      () => Promise.resolve(b.logged("waiting to lead") ? true : undefined),
      30_000,
    );
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal(b.logged("became leader"), false, "two leaders at once");
    const killedAt = Date.now();
    a.child.kill("SIGKILL");
    await eventually(
      "b to take over",
      () => Promise.resolve(b.logged("became leader") ? true : undefined),
      30_000,
    );
    const takeover = Date.now() - killedAt;
    assert.ok(takeover < 4_000 + 3_000, `the standby took ${takeover} ms`);
    const leaseObject = await provider.client.get({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      namespace: "bindops-system",
      name: lease,
    });
    assert.equal((leaseObject.spec as { leaseTransitions: number }).leaseTransitions, 1);
    b.child.kill("SIGTERM");
    assert.equal(await b.exited(), 0, b.stderr);
    const released = await provider.client.get({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      namespace: "bindops-system",
      name: lease,
    });
    assert.equal(
      (released.spec as { holderIdentity?: string }).holderIdentity,
      "",
      "SIGTERM released the lease",
    );
  });
});
