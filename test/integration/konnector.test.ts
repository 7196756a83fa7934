import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { startBackend, type RunningBackend } from "../../src/backend/backend.js";
import { connectCluster, type ConnectedCluster } from "../../src/kube/connect-cluster.js";
import type { KubeClient, KubeObject, ObjectRef } from "../../src/kube/kube-client.js";
import { getOrUndefined, ignoreNotFound } from "../../src/kube/not-found.js";
import { openProviderKubeconfig } from "../../src/kube/open-provider-kubeconfig.js";
import { startKonnector, type RunningKonnector } from "../../src/sync/konnector.js";
import { syncWriteCounts } from "../../src/sync/sync-writes.js";
import { clusterStartTimeoutMs, clusters } from "../support/clusters.js";
import { eventually } from "../support/eventually.js";
import { repoRoot } from "../support/repo-root.js";
import { runCli } from "../support/run-cli.js";

const kb = "kube-bind.io/v1alpha2";
const pg = "dbaas.example.com/v1alpha1";
const logger = pino(
  { level: process.env.BINDOPS_TEST_LOG ?? "warn", base: null },
  pino.destination(2),
);

/**
 * The konnector on the examples: `bindops reconcile` binds examples/ (orders-db and billing-db on
 * one consumer), then the backend and the konnector run in-process against the two real API
 * servers, and the tests walk a consumer's PostgresCluster and its Secrets across.
 */
describe("bindops konnector: schemas down, objects up, status down, claimed objects only (real API servers)", function () {
  this.timeout(180_000);
  let dir: string;
  let provider: ConnectedCluster;
  let consumer: ConnectedCluster;
  let backend: RunningBackend;
  let konnector: RunningKonnector;
  let clusterNamespace: string;

  const startKonnectorHere = () =>
    startKonnector({
      consumer: consumer.client,
      connect: (text) => openProviderKubeconfig(text),
      logger,
      version: "bindops-test",
      syncTimeoutMs: 30_000,
    });

  before(async function () {
    this.timeout(clusterStartTimeoutMs);
    const c = await clusters();
    const kubeconfigDir = path.dirname(c.provider.kubeconfigPath);
    provider = await connectCluster("provider", { kubeconfigDir, env: {} });
    consumer = await connectCluster("consumer", { kubeconfigDir, env: {} });
    dir = mkdtempSync(path.join(tmpdir(), "bindops-konnector-"));
    const repo = path.join(dir, "repo");
    cpSync(path.join(repoRoot, "examples"), repo, { recursive: true });
    const git = (...args: string[]) =>
      execFileSync("git", args, {
        cwd: repo,
        env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" },
      });
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "examples");
    const result = await runCli(["reconcile", "--repo", repo, "--kubeconfig-dir", kubeconfigDir], {
      timeoutMs: 170_000,
    });
    assert.equal(result.code, 0, result.stderr);
    const request = (
      await provider.client.list({ apiVersion: kb, kind: "APIServiceExportRequest" })
    ).items.find((r) => r.metadata.name === "orders-db")!;
    clusterNamespace = request.metadata.namespace!;
    for (const ns of ["orders", "billing"]) {
      await consumer.client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
    }
    backend = startBackend({ client: provider.client, logger });
    await backend.ready;
    konnector = startKonnectorHere();
    await konnector.ready;
  });
  after(async () => {
    await konnector?.stop();
    await backend?.stop();
    provider?.client.close();
    consumer?.client.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const get = (client: KubeClient, ref: ObjectRef) => getOrUndefined(client, ref);
  const providerNamespaceOf = async (consumerNamespace: string): Promise<string> =>
    eventually(`the provider namespace of ${consumerNamespace}`, async () => {
      const sn = await get(provider.client, {
        apiVersion: kb,
        kind: "APIServiceNamespace",
        namespace: clusterNamespace,
        name: consumerNamespace,
      });
      return (sn?.status as { namespace?: string } | undefined)?.namespace;
    });
  const conditionOf = (object: KubeObject | undefined, type: string) =>
    (
      (object?.status as { conditions?: { type: string; status: string; reason?: string }[] })
        ?.conditions ?? []
    ).find((c) => c.type === type);

  it("puts the bound CRDs on the consumer, owned by the bindings, and says so in their conditions", async () => {
    for (const crd of ["postgresclusters.dbaas.example.com", "postgresbackups.dbaas.example.com"]) {
      const live = await eventually(`CRD ${crd} on the consumer`, () =>
        get(consumer.client, {
          apiVersion: "apiextensions.k8s.io/v1",
          kind: "CustomResourceDefinition",
          name: crd,
        }),
      );
      const owners = (live.metadata.ownerReferences ?? []).map((r) => r.name).sort();
      // Both bindings bind the same schema in disjoint namespaces: they share the CRD.
      await eventually(`both bindings owning ${crd}`, async () => {
        const now = await get(consumer.client, {
          apiVersion: "apiextensions.k8s.io/v1",
          kind: "CustomResourceDefinition",
          name: crd,
        });
        const names = (now?.metadata.ownerReferences ?? []).map((r) => r.name).sort();
        return names.join() === "billing-db,orders-db" ? names : undefined;
      });
      assert.ok(owners.length >= 1);
    }
    for (const name of ["orders-db", "billing-db"]) {
      await eventually(`${name} Connected and SchemaInSync`, async () => {
        const binding = await get(consumer.client, {
          apiVersion: kb,
          kind: "APIServiceBinding",
          name,
        });
        return conditionOf(binding, "SchemaInSync")?.status === "True" &&
          conditionOf(binding, "Connected")?.status === "True" &&
          conditionOf(binding, "SecretValid")?.status === "True"
          ? binding
          : undefined;
      });
    }
    const clusterBinding = await eventually(
      "this konnector's heartbeat on the ClusterBinding",
      async () => {
        const cb = await get(provider.client, {
          apiVersion: kb,
          kind: "ClusterBinding",
          namespace: clusterNamespace,
          name: "cluster",
        });
        const status = cb?.status as
          { lastHeartbeatTime?: string; konnectorVersion?: string } | undefined;
        return status?.lastHeartbeatTime && status.konnectorVersion === "bindops-test"
          ? cb
          : undefined;
      },
    );
    assert.equal(
      (clusterBinding.status as { heartbeatInterval: string }).heartbeatInterval,
      "5m0s",
    );
  });

  it("syncs a PostgresCluster up, its status down, and its deletion through the finalizer", async () => {
    const providerNs = await providerNamespaceOf("orders");
    assert.equal(providerNs, `${clusterNamespace}-orders`);
    const written = (direction: string) =>
      syncWriteCounts().find((c) => c.direction === direction && c.kind === "PostgresCluster")
        ?.count ?? 0;
    const upBefore = written("up");
    const downBefore = written("down");
    await consumer.client.create({
      apiVersion: pg,
      kind: "PostgresCluster",
      metadata: { name: "main", namespace: "orders" },
      spec: {
        version: "16",
        instances: 1,
        storage: { size: "1Gi" },
        backup: { enabled: false },
        credentialsSecretRef: { name: "main-credentials" },
        connectionSecretName: "main-connection",
      },
    });
    const ref = { apiVersion: pg, kind: "PostgresCluster", namespace: providerNs, name: "main" };
    const copy = await eventually("the copy in the provider namespace", () =>
      get(provider.client, ref),
    );
    assert.equal(copy.metadata.annotations?.["kube-bind.io/cluster-namespace"], clusterNamespace);
    assert.equal(copy.metadata.annotations?.["kube-bind.io/consumer-namespace"], "orders");
    assert.equal((copy.spec as { instances: number }).instances, 1);
    const downstream = await consumer.client.get({ ...ref, namespace: "orders" });
    assert.ok(downstream.metadata.finalizers?.includes("kubebind.io/syncer"));
    assert.equal(copy.metadata.annotations?.["kube-bind.io/consumer-uid"], downstream.metadata.uid);

    // spec up
    await consumer.client.patch({ ...ref, namespace: "orders" }, { spec: { instances: 3 } });
    await eventually("the new spec on the provider", async () =>
      ((await get(provider.client, ref))?.spec as { instances?: number } | undefined)?.instances ===
      3
        ? true
        : undefined,
    );
    // status down
    await provider.client.patchStatus(ref, {
      status: { phase: "Running" },
    });
    await eventually("the provider's status on the consumer", async () => {
      const live = await get(consumer.client, { ...ref, namespace: "orders" });
      return (live?.status as { phase?: string } | undefined)?.phase === "Running"
        ? live
        : undefined;
    });
    // what /metrics reports as bindops_sync_objects_total
    assert.ok(written("up") >= upBefore + 2, "the create and the spec change counted up");
    assert.ok(written("down") >= downBefore + 1, "the status counted down");
    // a copy deleted by hand on the provider comes back
    await provider.client.delete(ref);
    await eventually("the copy re-created", async () => {
      const live = await get(provider.client, ref);
      return live &&
        live.metadata.uid !== copy.metadata.uid &&
        live.metadata.deletionTimestamp === undefined
        ? live
        : undefined;
    });
    // the consumer deletes: the copy goes first, then the finalizer is released
    await consumer.client.delete({ ...ref, namespace: "orders" });
    await eventually("the copy gone", async () =>
      (await get(provider.client, ref)) ? undefined : true,
    );
    await eventually("the consumer object gone", async () =>
      (await get(consumer.client, { ...ref, namespace: "orders" })) ? undefined : true,
    );
  });

  it("syncs Secrets the claim selects by label and by reference, and never an unlabelled one", async () => {
    const providerNs = await providerNamespaceOf("orders");
    const secret = (name: string, labels?: Record<string, string>) =>
      consumer.client.create({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name, namespace: "orders", ...(labels ? { labels } : {}) },
        stringData: { password: `${name}-value` },
      });
    await secret("labelled", { app: "orders", "dbaas.example.com/credentials": "true" });
    await secret("ref-credentials");
    await secret("private");
    await consumer.client.create({
      apiVersion: pg,
      kind: "PostgresCluster",
      metadata: { name: "refs", namespace: "orders" },
      spec: {
        version: "16",
        instances: 1,
        storage: { size: "1Gi" },
        backup: { enabled: false },
        credentialsSecretRef: { name: "ref-credentials" },
        connectionSecretName: "refs-connection",
      },
    });
    const onProvider = (name: string) =>
      get(provider.client, { apiVersion: "v1", kind: "Secret", namespace: providerNs, name });
    const labelled = await eventually("the labelled Secret on the provider", () =>
      onProvider("labelled"),
    );
    assert.equal(labelled.metadata.labels?.["kube-bind.io/owner"], "consumer");
    assert.equal(
      Buffer.from((labelled.data as { password: string }).password, "base64").toString(),
      "labelled-value",
    );
    await eventually("the referenced Secret on the provider", () => onProvider("ref-credentials"));
    // The provider's service writes the connection Secret the PostgresCluster names: it comes down.
    await provider.client.create({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "refs-connection", namespace: providerNs },
      stringData: { uri: "postgres://refs" },
    });
    const down = await eventually("the connection Secret on the consumer", () =>
      get(consumer.client, {
        apiVersion: "v1",
        kind: "Secret",
        namespace: "orders",
        name: "refs-connection",
      }),
    );
    assert.equal(down.metadata.labels?.["kube-bind.io/owner"], "provider");
    // Give the konnector time to have seen the private Secret, then check it never crossed.
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal(
      await onProvider("private"),
      undefined,
      "an unclaimed Secret reached the provider",
    );

    // The label goes: the Secret stops matching, and its copy is removed.
    await consumer.client.patch(
      { apiVersion: "v1", kind: "Secret", namespace: "orders", name: "labelled" },
      { metadata: { labels: { app: null } } },
    );
    await eventually("the copy of the unlabelled Secret removed", async () =>
      (await onProvider("labelled")) ? undefined : true,
    );
    // Then the owner label goes from the consumer's Secret, in the same reconcile.
    await eventually("the owner label removed from the unclaimed Secret", async () => {
      const consumerSide = await consumer.client.get({
        apiVersion: "v1",
        kind: "Secret",
        namespace: "orders",
        name: "labelled",
      });
      return consumerSide.metadata.labels?.["kube-bind.io/owner"] === undefined ? true : undefined;
    });
    await consumer.client
      .delete({ apiVersion: pg, kind: "PostgresCluster", namespace: "orders", name: "refs" })
      .catch(ignoreNotFound);
  });

  it("converges after a kill: no duplicates, no orphans, nothing lost", async () => {
    const providerNs = await providerNamespaceOf("orders");
    await konnector.stop();
    // While it is down: one object created, one deleted (its finalizer waits), one changed.
    await consumer.client.create({
      apiVersion: pg,
      kind: "PostgresCluster",
      metadata: { name: "while-down", namespace: "orders" },
      spec: {
        version: "16",
        instances: 1,
        storage: { size: "1Gi" },
        backup: { enabled: false },
        credentialsSecretRef: { name: "x" },
        connectionSecretName: "y",
      },
    });
    konnector = startKonnectorHere();
    await konnector.ready;
    const ref = {
      apiVersion: pg,
      kind: "PostgresCluster",
      namespace: providerNs,
      name: "while-down",
    };
    await eventually("the object created while down synced", () => get(provider.client, ref));
    await konnector.stop();
    await consumer.client.delete({ ...ref, namespace: "orders" });
    konnector = startKonnectorHere();
    await konnector.ready;
    await eventually("the copy of the object deleted while down removed", async () =>
      (await get(provider.client, ref)) ? undefined : true,
    );
    await eventually("the consumer object released", async () =>
      (await get(consumer.client, { ...ref, namespace: "orders" })) ? undefined : true,
    );
    const copies = (
      await provider.client.list({ apiVersion: pg, kind: "PostgresCluster", namespace: providerNs })
    ).items;
    const consumerObjects = (
      await consumer.client.list({ apiVersion: pg, kind: "PostgresCluster", namespace: "orders" })
    ).items;
    assert.deepEqual(
      copies.map((c) => c.metadata.name).sort(),
      consumerObjects.map((c) => c.metadata.name).sort(),
      "provider copies and consumer objects differ after restarts",
    );
  });
});
