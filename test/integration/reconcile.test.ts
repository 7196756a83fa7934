import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "yaml";
import type { ConnectedCluster } from "../../src/kube/connect-cluster.js";
import type { KubeObject } from "../../src/kube/kube-client.js";
import { clusterStartTimeoutMs, connectedClusters } from "../support/clusters.js";
import { repoRoot } from "../support/repo-root.js";
import { runCli, type CliResult } from "../support/run-cli.js";

const kb = "kube-bind.io/v1alpha2";

interface StatusDoc {
  status: {
    observedRevision: string;
    phase: string;
    conditions: { type: string; status: string; reason: string; message?: string }[];
    exports?: string[];
  };
}

describe("bindops reconcile: a git revision becomes live bindings (real API servers, real git)", function () {
  this.timeout(180_000);
  let dir: string;
  let repo: string;
  let kubeconfigDir: string;
  let provider: ConnectedCluster;
  let consumer: ConnectedCluster;
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: repo,
      env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" },
    })
      .toString("utf8")
      .trim();
  const commit = (message: string) => {
    git("add", "-A");
    git("-c", "user.name=test", "-c", "user.email=test@example.invalid", "commit", "-qm", message);
    return git("rev-parse", "HEAD");
  };
  const reconcile = (): Promise<CliResult> =>
    runCli(["reconcile", "--repo", repo, "--kubeconfig-dir", kubeconfigDir, "--status-dir", repo], {
      timeoutMs: 170_000,
    });
  const status = (binding: string) =>
    parse(
      readFileSync(path.join(repo, "status", "consumer", `${binding}.yaml`), "utf8"),
    ) as StatusDoc;
  const condition = (doc: StatusDoc, type: string) =>
    doc.status.conditions.find((c) => c.type === type);
  const requestsIn = async (): Promise<KubeObject[]> =>
    (
      await provider.client.list({
        apiVersion: kb,
        kind: "APIServiceExportRequest",
        labelSelector: "bindops.dev/managed-by=bindops",
      })
    ).items;

  before(async function () {
    this.timeout(clusterStartTimeoutMs);
    ({ kubeconfigDir, provider, consumer } = await connectedClusters());
    dir = mkdtempSync(path.join(tmpdir(), "bindops-reconcile-"));
    repo = path.join(dir, "repo");
    cpSync(path.join(repoRoot, "examples"), repo, { recursive: true });
    git("init", "-q", "-b", "main");
    commit("the examples");
  });
  after(() => {
    provider?.client.close();
    consumer?.client.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("binds each committed binding: request Succeeded, export, kubeconfig Secret and APIServiceBinding, status", async () => {
    const revision = git("rev-parse", "HEAD");
    const result = await reconcile();
    assert.equal(result.code, 0, result.stderr);
    for (const binding of ["orders-db", "billing-db"]) {
      const doc = status(binding);
      assert.equal(doc.status.observedRevision, revision);
      assert.equal(doc.status.phase, "Bound", JSON.stringify(doc));
      assert.equal(condition(doc, "Ready")?.status, "True");
      assert.deepEqual(doc.status.exports, [binding]);
      const request = (await requestsIn()).find((r) => r.metadata.name === binding)!;
      assert.equal((request.status as { phase: string }).phase, "Succeeded");
      const namespace = request.metadata.namespace!;
      await provider.client.get({
        apiVersion: kb,
        kind: "APIServiceExport",
        namespace,
        name: binding,
      });
      const apiBinding = await consumer.client.get({
        apiVersion: kb,
        kind: "APIServiceBinding",
        name: binding,
      });
      assert.deepEqual((apiBinding.spec as { kubeconfigSecretRef: unknown }).kubeconfigSecretRef, {
        namespace: "kube-bind",
        name: "kubeconfig-provider",
        key: "kubeconfig",
      });
    }
    const secret = await consumer.client.get({
      apiVersion: "v1",
      kind: "Secret",
      namespace: "kube-bind",
      name: "kubeconfig-provider",
    });
    assert.equal(secret.metadata.labels?.["kube-bind.io/provider-kubeconfig"], "true");
    const kubeconfig = Buffer.from(
      (secret.data as { kubeconfig: string }).kubeconfig,
      "base64",
    ).toString("utf8");
    assert.match(
      kubeconfig,
      /namespace: kube-bind-/,
      "it reaches the consumer's cluster namespace",
    );
    // No secret material in what goes to git.
    for (const binding of ["orders-db", "billing-db"]) {
      const text = readFileSync(path.join(repo, "status", "consumer", `${binding}.yaml`), "utf8");
      assert.doesNotMatch(text, /token|BEGIN|certificate-authority-data/);
    }
  });

  it("changes nothing on a second reconcile of the same revision", async () => {
    commit("status [skip ci]");
    const before = readFileSync(path.join(repo, "status", "consumer", "orders-db.yaml"), "utf8");
    const uids = (await requestsIn()).map((r) => r.metadata.uid).sort();
    const result = await reconcile();
    assert.equal(result.code, 0, result.stderr);
    assert.equal(git("status", "--porcelain"), "", "byte-identical status files");
    assert.equal(
      readFileSync(path.join(repo, "status", "consumer", "orders-db.yaml"), "utf8"),
      before,
    );
    assert.deepEqual(
      (await requestsIn()).map((r) => r.metadata.uid).sort(),
      uids,
      "no request replaced",
    );
  });

  it("reverts a hand edit of a template, and leaves a suspended binding alone", async () => {
    const template = await provider.client.get({
      apiVersion: kb,
      kind: "APIServiceExportTemplate",
      name: "databases",
    });
    await provider.client.patch(
      { apiVersion: kb, kind: "APIServiceExportTemplate", name: "databases" },
      { spec: { description: "edited by hand" } },
      { fieldManager: "kubectl-edit" },
    );
    // Suspend billing-db and delete its APIServiceBinding by hand: bindops must not bring it back.
    const file = path.join(repo, "consumers", "billing", "bindings", "billing-db.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(
        "  template: databases\n",
        "  template: databases\n  suspend: true\n",
      ),
    );
    commit("suspend billing-db");
    await consumer.client.delete({ apiVersion: kb, kind: "APIServiceBinding", name: "billing-db" });

    const result = await reconcile();
    assert.equal(result.code, 0, result.stderr);
    const after = await provider.client.get({
      apiVersion: kb,
      kind: "APIServiceExportTemplate",
      name: "databases",
    });
    assert.equal(
      (after.spec as { description: string }).description,
      (template.spec as { description: string }).description,
    );
    await assert.rejects(
      consumer.client.get({ apiVersion: kb, kind: "APIServiceBinding", name: "billing-db" }),
      /NotFound|not found/i,
    );
    assert.equal(status("billing-db").status.phase, "Suspended");
    assert.ok(
      (await requestsIn()).some((r) => r.metadata.name === "billing-db"),
      "its request stays",
    );
  });

  it("refuses a revision that does not validate: nothing applied, the status says where", async () => {
    const file = path.join(repo, "consumers", "orders", "bindings", "orders-db.yaml");
    const good = readFileSync(file, "utf8");
    writeFileSync(
      file,
      good.replace("  template: databases\n", "  template: databases\n  template: twice\n"),
    );
    commit("a broken binding");
    const uids = (await requestsIn()).map((r) => r.metadata.uid).sort();
    const result = await reconcile();
    assert.equal(result.code, 2, result.stderr);
    const doc = status("billing-db");
    assert.equal(doc.status.phase, "Failed");
    assert.match(
      condition(doc, "Stalled")?.message ?? "",
      /consumers\/orders\/bindings\/orders-db\.yaml:\d+/,
    );
    assert.deepEqual(
      (await requestsIn()).map((r) => r.metadata.uid).sort(),
      uids,
      "the last good revision stays",
    );
    writeFileSync(file, good);
    commit("fixed");
  });

  it("prunes a binding deleted from git, and leaves alone an object bindops does not own", async () => {
    const namespace = (await requestsIn())[0]!.metadata.namespace!;
    // Someone else's request, even wearing bindops's label: not in bindops's inventory.
    await provider.client.apply(
      {
        apiVersion: kb,
        kind: "APIServiceExportRequest",
        metadata: { name: "hand-made", namespace, labels: { "bindops.dev/managed-by": "bindops" } },
        spec: {
          resources: [
            { group: "dbaas.example.com", resource: "postgresclusters", versions: ["v1alpha1"] },
          ],
        },
      },
      { fieldManager: "someone-else" },
    );
    unlinkSync(path.join(repo, "consumers", "orders", "bindings", "orders-db.yaml"));
    commit("orders-db is gone");

    const result = await reconcile();
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /pruned provider: APIServiceExportRequest .*orders-db/);
    assert.match(result.stdout, /pruned consumer: APIServiceBinding orders-db/);
    assert.match(result.stdout, /delete status\/consumer\/orders-db\.yaml/);
    const names = (await requestsIn()).map((r) => r.metadata.name);
    assert.ok(!names.includes("orders-db"), names.join(", "));
    assert.ok(names.includes("hand-made"), "an object bindops did not apply stays");
    await assert.rejects(
      provider.client.get({
        apiVersion: kb,
        kind: "APIServiceExport",
        namespace,
        name: "orders-db",
      }),
      /NotFound|not found/i,
    );
    await assert.rejects(
      consumer.client.get({ apiVersion: kb, kind: "APIServiceBinding", name: "orders-db" }),
      /NotFound|not found/i,
    );
  });
});
