import assert from "node:assert/strict";
import path from "node:path";
import { connectCluster, type ConnectedCluster } from "../../src/kube/connect-cluster.js";
import type { KubeObject } from "../../src/kube/kube-client.js";
import { isKubeError } from "../../src/kube/kube-error.js";
import { updateWithRetry } from "../../src/kube/update-with-retry.js";
import { clusterStartTimeoutMs, clusters } from "../support/clusters.js";

describe("kube client writes against the real provider API server", function () {
  this.timeout(60_000);
  let cluster: ConnectedCluster;
  const namespace = `kube-writes-${Date.now().toString(36)}`;
  const ref = { apiVersion: "v1", kind: "ConfigMap", name: "settings", namespace };

  before(async function () {
    this.timeout(clusterStartTimeoutMs);
    const { provider } = await clusters();
    cluster = await connectCluster(provider.name, {
      kubeconfigDir: path.dirname(provider.kubeconfigPath),
      env: {},
    });
    await cluster.client.create({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: namespace },
    });
  });
  after(async () => {
    await cluster?.client
      .delete({ apiVersion: "v1", kind: "Namespace", name: namespace })
      .catch(() => undefined);
    cluster?.client.close();
  });

  it("creates, refuses a stale update with Conflict, and updateWithRetry wins on a fresh read", async () => {
    const { client } = cluster;
    const created = await client.create({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings", namespace },
      data: { a: "1", b: "2" },
    });
    await assert.rejects(
      client.create(created),
      (e: unknown) => isKubeError(e, "Conflict") && e.reason === "AlreadyExists",
    );
    const patched = await client.patch(ref, { data: { a: null, c: "3" } });
    assert.deepEqual(patched.data, { b: "2", c: "3" });
    await assert.rejects(client.update({ ...created, data: { stale: "yes" } }), (e: unknown) =>
      isKubeError(e, "Conflict"),
    );
    const updated = await updateWithRetry(client, ref, (current: KubeObject) => ({
      ...current,
      data: { ...(current.data as Record<string, string>), d: "4" },
    }));
    assert.deepEqual(updated.data, { b: "2", c: "3", d: "4" });
  });

  it("writes status through the subresource, which a plain update leaves alone", async () => {
    const { client } = cluster;
    const nsRef = { apiVersion: "v1", kind: "Namespace", name: namespace };
    const condition = { type: "BindopsTest", status: "True", reason: "Test", message: "set" };
    const patched = await client.patchStatus(nsRef, { status: { conditions: [condition] } });
    const [written] =
      (patched.status as { conditions?: Record<string, unknown>[] }).conditions ?? [];
    assert.deepEqual(
      { ...written, lastTransitionTime: undefined },
      {
        ...condition,
        lastTransitionTime: undefined,
      },
    );
    const current = await client.get(nsRef);
    const updated = await client.update({ ...current, status: { conditions: [] } });
    assert.deepEqual(
      (updated.status as { conditions?: { type: string }[] }).conditions?.map((c) => c.type),
      ["BindopsTest"],
      "update ignores status",
    );
    const cleared = await client.updateStatus({ ...updated, status: { phase: "Active" } });
    assert.equal((cleared.status as { conditions?: unknown[] }).conditions, undefined);
  });
});
