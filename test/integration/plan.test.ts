import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ConnectedCluster } from "../../src/kube/connect-cluster.js";
import type { KubeClient, KubeObject } from "../../src/kube/kube-client.js";
import { clusterStartTimeoutMs, connectedClusters } from "../support/clusters.js";
import { git } from "../support/git.js";
import { repoRoot } from "../support/repo-root.js";
import { runCli, type CliResult } from "../support/run-cli.js";

const kb = "kube-bind.io/v1alpha2";

interface JsonPlan {
  revision: string;
  differences: boolean;
  counts: Record<string, number>;
  clusters: {
    cluster: string;
    objects: {
      kind: string;
      name: string;
      namespace?: string;
      action: string;
      replace?: boolean;
      binding?: string;
      changes?: {
        path: string;
        op: string;
        live?: unknown;
        desired?: unknown;
        changedBy?: string[];
      }[];
    }[];
  }[];
}

describe("bindops plan: what a reconcile would change, read from the clusters (real API servers, real git)", function () {
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
  const cli = (...args: string[]): Promise<CliResult> =>
    runCli([...args, "--repo", repo, "--kubeconfig-dir", kubeconfigDir], { timeoutMs: 170_000 });
  const plan = async (...args: string[]): Promise<{ result: CliResult; plan: JsonPlan }> => {
    const result = await cli("plan", "-o", "json", ...args);
    return { result, plan: JSON.parse(result.stdout) as JsonPlan };
  };
  const objectsOf = (p: JsonPlan, cluster: string) =>
    p.clusters.find((c) => c.cluster === cluster)?.objects ?? [];
  const find = (p: JsonPlan, cluster: string, kind: string, name: string) =>
    objectsOf(p, cluster).find((o) => o.kind === kind && o.name === name);

  /** The resourceVersion of everything bindops applies or keeps, on both clusters. */
  const versions = async (): Promise<string[]> => {
    const of = async (client: KubeClient, apiVersion: string, kind: string) =>
      (await client.list({ apiVersion, kind })).items.map(
        (o: KubeObject) =>
          `${kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}@${o.metadata.resourceVersion}`,
      );
    return [
      ...(await of(provider.client, "apiextensions.k8s.io/v1", "CustomResourceDefinition")),
      ...(await of(provider.client, kb, "APIServiceExportTemplate")),
      ...(await of(provider.client, kb, "APIServiceExportRequest")),
      ...(await of(provider.client, kb, "APIServiceExport")),
      ...(await of(provider.client, "v1", "Namespace")),
      ...(await of(provider.client, "v1", "ConfigMap")),
      ...(await of(consumer.client, "apiextensions.k8s.io/v1", "CustomResourceDefinition")),
      ...(await of(consumer.client, kb, "APIServiceBinding")),
      ...(await of(consumer.client, "v1", "Secret")),
      ...(await of(consumer.client, "v1", "ConfigMap")),
    ].sort();
  };

  before(async function () {
    this.timeout(clusterStartTimeoutMs);
    ({ kubeconfigDir, provider, consumer } = await connectedClusters());
    dir = mkdtempSync(path.join(tmpdir(), "bindops-plan-"));
    repo = path.join(dir, "repo");
    cpSync(path.join(repoRoot, "examples"), repo, { recursive: true });
    git(repo, "init", "-q", "-b", "main");
    commit("the examples");
    // What the clusters have: this repository, reconciled.
    const reconciled = await cli("reconcile");
    assert.equal(reconciled.code, 0, reconciled.stderr);
  });
  after(() => {
    provider?.client.close();
    consumer?.client.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("finds no differences right after a reconcile: exit 0 with --exit-code", async () => {
    const result = await cli("plan", "--exit-code");
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /= unchanged +APIServiceExportTemplate databases/);
    assert.match(result.stdout, /= unchanged +APIServiceExportRequest kube-bind-\w+\/orders-db/);
    assert.match(result.stdout, /= unchanged +APIServiceBinding billing-db/);
    assert.match(result.stdout, /= kube-bind's CRDs: \d+ unchanged/);
    assert.match(
      result.stdout,
      /Plan: 0 to create, 0 to update, 0 to prune, \d+ unchanged\. No differences\./,
    );
  });

  it("shows creates, field diffs, replacements, hand edits and prunes in apply order, and writes nothing", async () => {
    // git: a new binding, a narrowed claim, a deleted binding.
    const bindings = path.join(repo, "consumers", "orders", "bindings");
    const orders = readFileSync(path.join(bindings, "orders-db.yaml"), "utf8");
    writeFileSync(
      path.join(bindings, "reports-db.yaml"),
      orders.replace("name: orders-db", "name: reports-db"),
    );
    writeFileSync(
      path.join(bindings, "orders-db.yaml"),
      orders.replace("app: orders\n", "app: orders-v2\n"),
    );
    unlinkSync(path.join(repo, "consumers", "billing", "bindings", "billing-db.yaml"));
    commit("reports-db, orders-v2, no billing-db");
    // By hand: a field git sets.
    await provider.client.patch(
      { apiVersion: kb, kind: "APIServiceExportTemplate", name: "databases" },
      { spec: { description: "edited by hand" } },
      { fieldManager: "kubectl-edit" },
    );
    const before = await versions();

    const text = await cli("plan", "--exit-code");
    assert.equal(text.code, 1, text.stderr);
    const lines = text.stdout.split("\n");
    const at = (pattern: RegExp) => {
      const index = lines.findIndex((l) => pattern.test(l));
      assert.ok(index >= 0, `${pattern} in\n${text.stdout}`);
      return index;
    };
    const template = at(/~ update +APIServiceExportTemplate databases/);
    assert.match(
      lines[template + 1] ?? "",
      /spec\.description: "edited by hand" → "Managed PostgreSQL.*\(set by kubectl-edit\)/,
    );
    const create = at(
      /\+ create +APIServiceExportRequest kube-bind-\w+\/reports-db +\(binding consumer\/reports-db\)/,
    );
    const replace = at(/~ replace +APIServiceExportRequest kube-bind-\w+\/orders-db .*immutable/);
    assert.match(
      lines[replace + 1] ?? "",
      /spec\.permissionClaims\[0\]\.selector\.labelSelector\.matchLabels\.app: "orders" → "orders-v2"/,
    );
    const prune = at(
      /- prune +APIServiceExportRequest kube-bind-\w+\/billing-db .*git no longer has it/,
    );
    at(/- prune +APIServiceExport kube-bind-\w+\/billing-db/);
    at(/\+ create +APIServiceBinding reports-db/);
    at(/~ replace +APIServiceBinding orders-db/);
    const consumerPrune = at(/- prune +APIServiceBinding billing-db/);
    assert.ok(template < create && create < prune, "templates, then requests, then prunes");
    assert.ok(prune < consumerPrune, "the provider, then the consumer");
    assert.match(text.stdout, /Plan: 2 to create, 3 to update, 3 to prune, \d+ unchanged\./);

    const { result, plan: json } = await plan();
    assert.equal(result.code, 0, "without --exit-code, differences are no failure");
    assert.equal(json.differences, true);
    assert.deepEqual(
      { create: json.counts.create, update: json.counts.update, prune: json.counts.prune },
      { create: 2, update: 3, prune: 3 },
    );
    const edited = find(json, "provider", "APIServiceExportTemplate", "databases");
    assert.equal(edited?.changes?.length, 1);
    const [change] = edited?.changes ?? [];
    assert.deepEqual(
      { path: change?.path, op: change?.op, live: change?.live, changedBy: change?.changedBy },
      {
        path: "spec.description",
        op: "change",
        live: "edited by hand",
        changedBy: ["kubectl-edit"],
      },
    );
    assert.match(String(change?.desired), /^Managed PostgreSQL/);
    assert.equal(find(json, "provider", "APIServiceExportRequest", "orders-db")?.replace, true);
    assert.equal(find(json, "consumer", "APIServiceBinding", "billing-db")?.action, "prune");

    assert.deepEqual(await versions(), before, "plan wrote nothing to either cluster");
  });

  it("predicts exactly what reconcile then does: afterwards, no differences", async () => {
    const reconciled = await cli("reconcile");
    assert.equal(reconciled.code, 0, reconciled.stderr);
    const { result, plan: json } = await plan("--exit-code");
    assert.equal(result.code, 0, result.stdout);
    assert.equal(json.differences, false);
    assert.equal(find(json, "provider", "APIServiceExportRequest", "billing-db"), undefined);
    assert.equal(find(json, "consumer", "APIServiceBinding", "reports-db")?.action, "unchanged");
  });

  it("says a revision that does not validate would be refused: exit 2, nothing planned", async () => {
    const file = path.join(repo, "consumers", "orders", "bindings", "orders-db.yaml");
    const good = readFileSync(file, "utf8");
    writeFileSync(
      file,
      good.replace("  template: databases\n", "  template: databases\n  template: twice\n"),
    );
    commit("a broken binding");
    const result = await cli("plan", "--exit-code");
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stdout, /would be refused, nothing applied: .*orders-db\.yaml:\d+/);
    writeFileSync(file, good);
    commit("fixed");
  });

  it("explains itself in --help: the actions, what is compared, the exit codes", async () => {
    const result = await runCli(["plan", "--help"]);
    assert.equal(result.code, 0);
    for (const text of [
      "--exit-code",
      "-o, --output",
      "+ create",
      "~ update",
      "- prune",
      "nothing is written",
    ]) {
      assert.ok(result.stdout.includes(text), `${text} in\n${result.stdout}`);
    }
  });
});
