import assert from "node:assert/strict";
import { controlPlaneServers } from "../../src/dev/control-plane-servers.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { connectCluster, type ConnectedCluster } from "../../src/kube/connect-cluster.js";
import type { KubeObject } from "../../src/kube/kube-client.js";
import { KubeError } from "../../src/kube/kube-error.js";
import { clusterStartTimeoutMs, clusters } from "../support/clusters.js";

describe("kube client against the real provider API server", function () {
  this.timeout(60_000);
  let cluster: ConnectedCluster;
  const namespace = `kube-client-${Date.now().toString(36)}`;
  const configMap = (data: Record<string, string>, labels = { app: "kube-client-test" }) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "settings", namespace, labels },
    data,
  });
  const ref = { apiVersion: "v1", kind: "ConfigMap", name: "settings", namespace };

  before(async function () {
    this.timeout(clusterStartTimeoutMs);
    const { provider } = await clusters();
    // The way users point bindops at `dev up` clusters: a folder of <cluster>.kubeconfig files.
    cluster = await connectCluster(provider.name, {
      kubeconfigDir: path.dirname(provider.kubeconfigPath),
      env: {},
    });
    await cluster.client.apply({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: namespace },
    });
  });

  after(async () => {
    if (!cluster) return;
    await cluster.client
      .delete({ apiVersion: "v1", kind: "Namespace", name: namespace })
      .catch(() => undefined);
    cluster.client.close();
  });

  it(`reports the server's version as ${controlPlaneServers.current.version}`, async () => {
    const [major, minor] = controlPlaneServers.current.version.split(".").map(Number);
    assert.equal(cluster.version.major, major);
    assert.equal(cluster.version.minor, minor);
    const again = await cluster.client.serverVersion();
    assert.equal(again.gitVersion, cluster.version.gitVersion);
    assert.equal(cluster.source.from, "kubeconfig-dir");
  });

  it("applies a ConfigMap server-side as bindops, and applying it again changes nothing", async () => {
    const created = await cluster.client.apply(configMap({ color: "blue" }));
    assert.equal(created.metadata.namespace, namespace);
    assert.deepEqual(created.data, { color: "blue" });
    const managers = (created.metadata.managedFields ?? []).map((m) => [m.manager, m.operation]);
    assert.deepEqual(managers, [["bindops", "Apply"]]);

    const again = await cluster.client.apply(configMap({ color: "blue" }));
    assert.equal(again.metadata.resourceVersion, created.metadata.resourceVersion);

    const read = await cluster.client.get(ref);
    assert.equal(read.metadata.uid, created.metadata.uid);
    assert.deepEqual(read.data, { color: "blue" });
  });

  it("removes a field bindops no longer declares, as server-side apply does", async () => {
    await cluster.client.apply(configMap({ color: "blue", size: "L" }));
    const applied = await cluster.client.apply(configMap({ size: "XL" }));
    assert.deepEqual(applied.data, { size: "XL" });
  });

  it("refuses to take fields another manager owns unless forced", async () => {
    await cluster.client.apply(configMap({ size: "XL" }));
    await cluster.client.apply(configMap({ size: "S" }), {
      fieldManager: "someone-else",
      force: true,
    });
    await assert.rejects(cluster.client.apply(configMap({ size: "M" })), (e: unknown) => {
      assert.ok(e instanceof KubeError);
      assert.equal(e.code, "Conflict");
      assert.equal(e.status, 409);
      assert.match(e.serverMessage ?? "", /someone-else/);
      return true;
    });
    const forced = await cluster.client.apply(configMap({ size: "M" }), { force: true });
    assert.deepEqual(forced.data, { size: "M" });
  });

  it("lists by namespace and label selector, with kind and apiVersion on each item", async () => {
    await cluster.client.apply({
      ...configMap({ other: "1" }, { app: "unrelated" }),
      metadata: { name: "other", namespace, labels: { app: "unrelated" } },
    });
    const mine = await cluster.client.list({
      apiVersion: "v1",
      kind: "ConfigMap",
      namespace,
      labelSelector: { app: "kube-client-test" },
    });
    assert.deepEqual(
      mine.items.map((i: KubeObject) => [i.apiVersion, i.kind, i.metadata.name]),
      [["v1", "ConfigMap", "settings"]],
    );
    assert.match(mine.resourceVersion, /^\d+$/);
    const all = await cluster.client.list({ apiVersion: "v1", kind: "ConfigMap", namespace });
    assert.deepEqual(all.items.map((i) => i.metadata.name).sort(), ["other", "settings"]);
  });

  it("deletes, after which reading is a typed NotFound", async () => {
    await cluster.client.delete(ref);
    await assert.rejects(cluster.client.get(ref), (e: unknown) => {
      assert.ok(e instanceof KubeError);
      assert.equal(e.code, "NotFound");
      assert.equal(e.status, 404);
      assert.equal(e.exitCode, 4);
      assert.match(e.message, /configmaps "settings" not found/);
      return true;
    });
    await assert.rejects(
      cluster.client.delete(ref),
      (e: unknown) => e instanceof KubeError && e.code === "NotFound",
    );
  });

  it("says which kind the server does not serve", async () => {
    await assert.rejects(
      cluster.client.get({ apiVersion: "nothing.bindops.dev/v1", kind: "Nothing", name: "x" }),
      (e: unknown) =>
        e instanceof KubeError &&
        e.code === "NotFound" &&
        e.reason === "UnknownKind" &&
        /does not serve kind Nothing in nothing\.bindops\.dev\/v1/.test(e.message),
    );
  });

  it("reports a server that does not answer as Unreachable, naming its URL", async () => {
    const port = await closedPort();
    const dir = mkdtempSync(path.join(tmpdir(), "bindops-unreachable-"));
    try {
      const server = `https://127.0.0.1:${port}`;
      writeFileSync(
        path.join(dir, "gone.kubeconfig"),
        [
          "apiVersion: v1",
          "kind: Config",
          `clusters: [{name: gone, cluster: {server: "${server}"}}]`,
          "users: [{name: gone, user: {token: not-a-real-token}}]",
          "contexts: [{name: gone, context: {cluster: gone, user: gone}}]",
          "current-context: gone",
        ].join("\n"),
      );
      await assert.rejects(
        connectCluster("gone", { kubeconfigDir: dir, env: {} }),
        (e: unknown) => {
          assert.ok(e instanceof KubeError);
          assert.equal(e.code, "Unreachable");
          assert.equal(e.kind, "unreachable");
          assert.equal(e.exitCode, 4);
          assert.ok(e.message.includes(server), e.message);
          assert.match(e.message, /cluster "gone"/);
          assert.match(e.hint ?? "", /gone\.kubeconfig/);
          assert.ok(
            !e.message.includes("not-a-real-token") && !(e.hint ?? "").includes("not-a-real-token"),
          );
          return true;
        },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== "object" || address === null) throw new Error("no port");
  return address.port;
}
