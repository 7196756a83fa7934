import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "yaml";
import { findOnboarding } from "../../src/backend/onboard-consumer.js";
import type { ConnectedCluster } from "../../src/kube/connect-cluster.js";
import { getOrUndefined } from "../../src/kube/not-found.js";
import { clusterStartTimeoutMs, connectedClusters } from "../support/clusters.js";
import { eventually } from "../support/eventually.js";
import { git } from "../support/examples-remote.js";
import { repoRoot } from "../support/repo-root.js";
import { cliPath, runCli } from "../support/run-cli.js";

const kb = "kube-bind.io/v1alpha2";
const onboardingRequest = {
  apiVersion: kb,
  kind: "BindableResourcesRequest",
  namespace: "kube-bind",
  name: "bindops-consumer",
};

/**
 * `--backend external`: a kube-bind backend runs on the provider on its own (here `bindops
 * backend` in another process, which answers BindableResourcesRequests as kube-bind's backend
 * does with --frontend-disabled), and bindops onboards consumers by asking it.
 */
describe("bindops reconcile --backend external: onboarding through a BindableResourcesRequest (real API servers)", function () {
  this.timeout(240_000);
  let dir: string;
  let repo: string;
  let kubeconfigDir: string;
  let provider: ConnectedCluster;
  let consumer: ConnectedCluster;
  let backend: ChildProcess | undefined;
  let backendLog = "";
  let clusterNamespace = "";
  /** `bindops <command> --backend external` on the repository and the test clusters. */
  const external = (command: string, ...extra: string[]) =>
    runCli(
      [
        command,
        "--backend",
        "external",
        "--repo",
        repo,
        "--kubeconfig-dir",
        kubeconfigDir,
        ...extra,
      ],
      { timeoutMs: 200_000 },
    );
  const reconcile = (...extra: string[]) => external("reconcile", "--status-dir", repo, ...extra);
  const statusOf = (binding: string) =>
    parse(readFileSync(path.join(repo, "status", "consumer", `${binding}.yaml`), "utf8")) as {
      status: { conditions: { type: string; status: string; reason: string; message?: string }[] };
    };
  const stopBackend = async () => {
    if (!backend || backend.exitCode !== null) return;
    const exited = new Promise((resolve) => backend!.once("exit", resolve));
    backend.kill("SIGTERM");
    await exited;
  };

  before(async function () {
    this.timeout(clusterStartTimeoutMs);
    ({ kubeconfigDir, provider, consumer } = await connectedClusters());
    dir = mkdtempSync(path.join(tmpdir(), "bindops-external-"));
    repo = path.join(dir, "repo");
    cpSync(path.join(repoRoot, "examples"), repo, { recursive: true });
    git(repo, "init", "-q", "-b", "main");
    git(repo, "add", "-A");
    git(
      repo,
      "-c",
      "user.name=t",
      "-c",
      "user.email=t@example.invalid",
      "commit",
      "-qm",
      "examples",
    );
    // An earlier test onboarded this consumer directly: undone, so that it has to be asked for.
    const identity = (
      await consumer.client.get({ apiVersion: "v1", kind: "Namespace", name: "kube-system" })
    ).metadata.uid!;
    const earlier = await findOnboarding(provider.client, { identity });
    if (earlier.clusterBinding) {
      await provider.client.delete({
        apiVersion: kb,
        kind: "ClusterBinding",
        namespace: earlier.namespace,
        name: "cluster",
      });
    }
    await provider.client.delete(onboardingRequest).catch(() => undefined);
    backend = spawn(
      process.execPath,
      [cliPath, "backend", "--kubeconfig-dir", kubeconfigDir, "--cluster", "provider"],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    backend.stderr!.setEncoding("utf8").on("data", (d: string) => (backendLog += d));
    await eventually(
      "the external backend to run",
      () => Promise.resolve(/backend running/.test(backendLog) ? true : undefined),
      60_000,
    );
  });
  after(async () => {
    await stopBackend();
    provider?.client.close();
    consumer?.client.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("asks the running backend to onboard the consumer, then binds as with the built-in one", async () => {
    // What plan says first: the consumer is onboarded by asking the backend, not by bindops.
    const onboardingPlanned = async () => {
      const planned = await external("plan", "-o", "json");
      assert.equal(planned.code, 0, planned.stderr);
      const plan = JSON.parse(planned.stdout) as {
        clusters: {
          cluster: string;
          objects: { kind: string; name: string; action: string; reason?: string }[];
        }[];
      };
      return plan.clusters
        .find((c) => c.cluster === "provider")!
        .objects.filter((o) => /onboarding of consumer consumer/.test(o.reason ?? ""));
    };
    const before = await onboardingPlanned();
    assert.deepEqual(
      before.map((o) => [o.kind, o.name, o.action]),
      [["BindableResourcesRequest", "bindops-consumer", "create"]],
    );
    const result = await reconcile();
    assert.equal(result.code, 0, `${result.stderr}\n--- backend:\n${backendLog}`);

    const asked = await provider.client.get(onboardingRequest);
    const answer = asked.status as {
      phase: string;
      namespace: string;
      kubeconfigSecretRef: { name: string };
    };
    assert.equal(answer.phase, "Succeeded");
    clusterNamespace = answer.namespace;
    assert.equal(
      await getOrUndefined(provider.client, {
        apiVersion: "v1",
        kind: "Secret",
        namespace: "kube-bind",
        name: answer.kubeconfigSecretRef.name,
      }),
      undefined,
      "the answer's copy of the token is not left behind",
    );
    const identity = (
      await consumer.client.get({ apiVersion: "v1", kind: "Namespace", name: "kube-system" })
    ).metadata.uid;
    assert.equal(
      (asked.spec as { clusterIdentity: { identity: string } }).clusterIdentity.identity,
      identity,
      "the consumer's identity is its kube-system UID, as kubectl bind sends it",
    );
    assert.equal(
      (asked.spec as { templateRef: { name: string } }).templateRef.name,
      "databases",
      "a template the consumer binds",
    );
    for (const binding of ["orders-db", "billing-db"]) {
      const request = await provider.client.get({
        apiVersion: kb,
        kind: "APIServiceExportRequest",
        namespace: answer.namespace,
        name: binding,
      });
      assert.equal((request.status as { phase: string }).phase, "Succeeded");
      const ready = statusOf(binding).status.conditions.find((c) => c.type === "Ready");
      assert.equal(ready?.status, "True", JSON.stringify(statusOf(binding)));
    }
    const secret = await consumer.client.get({
      apiVersion: "v1",
      kind: "Secret",
      namespace: "kube-bind",
      name: "kubeconfig-provider",
    });
    const kubeconfig = Buffer.from(
      (secret.data as { kubeconfig: string }).kubeconfig,
      "base64",
    ).toString("utf8");
    assert.match(kubeconfig, new RegExp(`namespace: ${answer.namespace}`));

    // Onboarded: plan shows the cluster namespace, and nothing to ask.
    const after = await onboardingPlanned();
    assert.deepEqual(
      after.map((o) => [o.kind, o.name, o.action]),
      [["Namespace", answer.namespace, "unchanged"]],
    );

    // A second reconcile finds the consumer onboarded: nothing is asked again.
    const again = await reconcile();
    assert.equal(again.code, 0, again.stderr);
    const same = await provider.client.get(onboardingRequest);
    assert.equal(same.metadata.uid, asked.metadata.uid);
  });

  it("says that no backend answered when none runs, and holds the consumer's bindings back", async () => {
    await stopBackend();
    // The consumer's onboarding undone on the provider: it has to be asked for again.
    await provider.client.delete({
      apiVersion: kb,
      kind: "ClusterBinding",
      namespace: clusterNamespace,
      name: "cluster",
    });
    await provider.client.delete(onboardingRequest);
    await eventually("the request gone", async () =>
      (await getOrUndefined(provider.client, onboardingRequest)) ? undefined : true,
    );
    const result = await reconcile("--request-timeout", "3");
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      /no kube-bind backend answered BindableResourcesRequest kube-bind\/bindops-consumer within 3 s/,
    );
    const ready = statusOf("orders-db").status.conditions.find((c) => c.type === "Ready");
    assert.equal(ready?.status, "False");
    assert.match(ready?.message ?? "", /no kube-bind backend answered/);
  });
});
