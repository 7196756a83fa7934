import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { pino } from "pino";
import { startBackend, type RunningBackend } from "../../src/backend/backend.js";
import { onboardConsumer } from "../../src/backend/onboard-consumer.js";
import { connectCluster, type ConnectedCluster } from "../../src/kube/connect-cluster.js";
import { installCrds } from "../../src/kube/install-crd.js";
import { clusterStartTimeoutMs, clusters } from "../support/clusters.js";
import { eventually } from "../support/eventually.js";
import { readCrds } from "../support/read-manifests.js";
import { repoRoot, sharedDir } from "../support/repo-root.js";

const shared = sharedDir();
const upstreamDir =
  shared === undefined ? undefined : path.join(shared, "reference", "kube-bind", "crds");
const kb = "kube-bind.io/v1alpha2";

(upstreamDir && existsSync(upstreamDir) ? describe : describe.skip)(
  `interop: what the built-in backend writes, under upstream kube-bind's own CRDs${
    upstreamDir ? "" : " (skipped: ../shared/reference/kube-bind is absent)"
  }`,
  function () {
    this.timeout(120_000);
    let cluster: ConnectedCluster;
    let backend: RunningBackend | undefined;
    const logger = pino({ level: "silent" });

    before(async function () {
      this.timeout(clusterStartTimeoutMs);
      const { interop } = await clusters();
      cluster = await connectCluster(interop.name, {
        kubeconfigDir: path.dirname(interop.kubeconfigPath),
        env: {},
      });
      // Upstream's CRDs (with their CEL rules, enforced by the current server) and the examples'.
      await installCrds(cluster.client, readCrds(upstreamDir!), { logger, force: true });
      await installCrds(
        cluster.client,
        readCrds(path.join(repoRoot, "examples/providers/dbaas/crds")),
        {
          logger,
          force: true,
        },
      );
      backend = startBackend({ client: cluster.client, logger, schemaGraceMs: 0 });
      await backend.ready;
    });
    after(async () => {
      await backend?.stop();
      cluster?.client.close();
    });

    it("onboards, exports and maps namespaces with objects upstream's CRDs accept", async () => {
      const { namespace } = await onboardConsumer(cluster.client, {
        identity: randomUUID(),
        author: "interop",
        prettyName: "consumer",
      });
      await cluster.client.create({
        apiVersion: kb,
        kind: "APIServiceExportRequest",
        metadata: { name: "databases", namespace },
        spec: {
          resources: [
            { group: "dbaas.example.com", resource: "postgresclusters", versions: ["v1alpha1"] },
          ],
          permissionClaims: [
            {
              group: "",
              resource: "secrets",
              selector: { labelSelector: { matchLabels: { app: "db" } } },
            },
          ],
          namespaces: [{ name: "orders" }],
        },
      });
      const request = await eventually("the request to succeed under upstream's CRD", async () => {
        const r = await cluster.client.get({
          apiVersion: kb,
          kind: "APIServiceExportRequest",
          namespace,
          name: "databases",
        });
        return (r.status as { phase?: string } | undefined)?.phase === "Succeeded" ? r : undefined;
      });
      assert.ok(request);
      // Each kind the backend writes, read back through upstream's schema (unknown fields would
      // have been pruned, wrong types refused, CEL rules such as ClusterBinding's name enforced).
      const clusterBinding = await cluster.client.get({
        apiVersion: kb,
        kind: "ClusterBinding",
        namespace,
        name: "cluster",
      });
      assert.deepEqual(
        (clusterBinding.spec as { kubeconfigSecretRef: unknown }).kubeconfigSecretRef,
        {
          name: "kubeconfig",
          key: "kubeconfig",
        },
      );
      const exp = await cluster.client.get({
        apiVersion: kb,
        kind: "APIServiceExport",
        namespace,
        name: "databases",
      });
      assert.equal((exp.spec as { isolation: string }).isolation, "Prefixed");
      const schema = await cluster.client.get({
        apiVersion: kb,
        kind: "BoundSchema",
        namespace,
        name: "postgresclusters.dbaas.example.com",
      });
      const version = (schema.spec as { versions: { schema: { openAPIV3Schema?: unknown } }[] })
        .versions[0]!;
      assert.ok(version.schema.openAPIV3Schema, "the schema wrapper survives upstream's pruning");
      const asn = await eventually("the APIServiceNamespace status", async () => {
        const n = await cluster.client.get({
          apiVersion: kb,
          kind: "APIServiceNamespace",
          namespace,
          name: "orders",
        });
        return (n.status as { namespace?: string } | undefined)?.namespace;
      });
      assert.equal(asn, `${namespace}-orders`);
      const conditions = (request.status as { conditions: { type: string; status: string }[] })
        .conditions;
      assert.deepEqual(
        conditions.map((c) => c.type),
        ["Ready", "ExportsReady", "PermissionClaim"],
        "conditions as kube-bind writes them: Ready first, then by type",
      );
    });
  },
);
