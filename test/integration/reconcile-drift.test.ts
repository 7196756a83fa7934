import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "yaml";
import type { ConnectedCluster } from "../../src/kube/connect-cluster.js";
import { clusterStartTimeoutMs, connectedClusters } from "../support/clusters.js";
import { git } from "../support/git.js";
import { repoRoot } from "../support/repo-root.js";
import { runCli, type CliResult } from "../support/run-cli.js";

const kb = "kube-bind.io/v1alpha2";
const secretRef = {
  apiVersion: "v1",
  kind: "Secret",
  namespace: "kube-bind",
  name: "kubeconfig-provider",
};
const templateRef = { apiVersion: kb, kind: "APIServiceExportTemplate", name: "databases" };

interface StatusDoc {
  status: {
    phase: string;
    conditions: { type: string; status: string; reason: string; message?: string }[];
  };
}

describe("bindops reconcile: hand edits are reverted and reported (real API servers, real git)", function () {
  this.timeout(180_000);
  let dir: string;
  let repo: string;
  let kubeconfigDir: string;
  let provider: ConnectedCluster;
  let consumer: ConnectedCluster;
  const commit = (message: string) => {
    git(repo, "add", "-A");
    git(repo, "commit", "-qm", message);
  };
  const reconcile = (): Promise<CliResult> =>
    runCli(["reconcile", "--repo", repo, "--kubeconfig-dir", kubeconfigDir, "--status-dir", repo], {
      timeoutMs: 170_000,
    });
  const statusText = (binding: string) =>
    readFileSync(path.join(repo, "status", "consumer", `${binding}.yaml`), "utf8");
  const drifted = (binding: string) =>
    (parse(statusText(binding)) as StatusDoc).status.conditions.find((c) => c.type === "Drifted");

  before(async function () {
    this.timeout(clusterStartTimeoutMs);
    ({ kubeconfigDir, provider, consumer } = await connectedClusters());
    dir = mkdtempSync(path.join(tmpdir(), "bindops-drift-"));
    repo = path.join(dir, "repo");
    cpSync(path.join(repoRoot, "examples"), repo, { recursive: true });
    git(repo, "init", "-q", "-b", "main");
    commit("the examples");
    const first = await reconcile();
    assert.equal(first.code, 0, first.stderr);
    commit("status [skip ci]");
  });
  after(() => {
    provider?.client.close();
    consumer?.client.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("reports no drift when nobody edited anything", async () => {
    const result = await reconcile();
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stdout + result.stderr, /revert/i);
    assert.equal(drifted("orders-db"), undefined);
    assert.equal(git(repo, "status", "--porcelain"), "");
  });

  it("reverts hand edits, with a log line per object, stdout, and Drifted in each binding's status", async () => {
    const before = await provider.client.get(templateRef);
    await provider.client.patch(
      templateRef,
      { spec: { description: "edited by hand" } },
      {
        fieldManager: "kubectl-edit",
      },
    );
    await consumer.client.patch(
      secretRef,
      { metadata: { labels: { "kube-bind.io/provider-kubeconfig": "false" } } },
      { fieldManager: "kubectl-label" },
    );
    await consumer.client.patch(
      { apiVersion: kb, kind: "APIServiceBinding", name: "orders-db" },
      { metadata: { labels: { "bindops.dev/binding": "someone.else" } } },
      { fieldManager: "kubectl-label" },
    );

    const result = await reconcile();
    assert.equal(result.code, 0, result.stderr);
    // Reverted.
    assert.equal(
      ((await provider.client.get(templateRef)).spec as { description: string }).description,
      (before.spec as { description: string }).description,
    );
    const secret = await consumer.client.get(secretRef);
    assert.equal(secret.metadata.labels?.["kube-bind.io/provider-kubeconfig"], "true");
    // Said once per object, in the log and on stdout.
    const warnings = result.stderr.split("\n").filter((l) => l.includes("reverting a hand edit"));
    assert.equal(warnings.length, 3, result.stderr);
    assert.match(
      result.stdout,
      /reverted provider: APIServiceExportTemplate databases: spec\.description \(by kubectl-edit\)/,
    );
    assert.match(
      result.stdout,
      /reverted consumer: Secret kube-bind\/kubeconfig-provider: metadata\.labels\["kube-bind\.io\/provider-kubeconfig"\] \(by kubectl-label\)/,
    );
    assert.match(
      result.stdout,
      /reverted consumer: APIServiceBinding orders-db: metadata\.labels\["bindops\.dev\/binding"\] \(by kubectl-label\)/,
    );
    // Each binding's status names what it depends on that drifted; never a secret's data.
    const orders = drifted("orders-db");
    assert.equal(orders?.status, "True");
    assert.equal(orders?.reason, "HandEditReverted");
    assert.match(orders?.message ?? "", /APIServiceExportTemplate databases: spec\.description/);
    assert.match(orders?.message ?? "", /Secret kube-bind\/kubeconfig-provider/);
    assert.match(orders?.message ?? "", /APIServiceBinding orders-db/);
    const billing = drifted("billing-db");
    assert.match(billing?.message ?? "", /APIServiceExportTemplate databases/);
    assert.doesNotMatch(billing?.message ?? "", /APIServiceBinding orders-db/);
    assert.doesNotMatch(statusText("orders-db"), /token|BEGIN|certificate-authority-data/);
    commit("status [skip ci]");
  });

  it("drops the report once nothing has drifted, then writes the same bytes again", async () => {
    const first = await reconcile();
    assert.equal(first.code, 0, first.stderr);
    assert.equal(drifted("orders-db"), undefined);
    assert.equal(drifted("billing-db"), undefined);
    commit("status [skip ci]");
    const again = await reconcile();
    assert.equal(again.code, 0, again.stderr);
    assert.equal(git(repo, "status", "--porcelain"), "", "no timestamp churn");
  });

  it("leaves a suspended binding's hand edits alone and reports none for it", async () => {
    const file = path.join(repo, "consumers", "billing", "bindings", "billing-db.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(
        "  template: databases\n",
        "  template: databases\n  suspend: true\n",
      ),
    );
    commit("suspend billing-db");
    const ref = { apiVersion: kb, kind: "APIServiceBinding", name: "billing-db" };
    await consumer.client.patch(
      ref,
      { metadata: { labels: { "bindops.dev/binding": "edited" } } },
      {
        fieldManager: "kubectl-label",
      },
    );
    const result = await reconcile();
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      (await consumer.client.get(ref)).metadata.labels?.["bindops.dev/binding"],
      "edited",
    );
    assert.doesNotMatch(result.stdout, /reverted/);
    assert.equal((parse(statusText("billing-db")) as StatusDoc).status.phase, "Suspended");
    assert.equal(drifted("billing-db"), undefined);
  });
});
