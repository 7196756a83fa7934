import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { connectCluster, type ConnectedCluster } from "../../src/kube/connect-cluster.js";
import { installCrds } from "../../src/kube/install-crd.js";
import type { KubeObject } from "../../src/kube/kube-client.js";
import { KubeError } from "../../src/kube/kube-error.js";
import { clusters, oldCluster, startTimeoutMs, type DevCluster } from "../support/clusters.js";
import { readCrds } from "../support/read-manifests.js";
import { sharedDir } from "../support/repo-root.js";

const shared = sharedDir();
const upstreamDir =
  shared === undefined ? undefined : path.join(shared, "reference", "kube-bind", "crds");

/** Every CEL rule of a CRD, as `<version>: <rule>`, wherever it sits in the schemas. */
function celRules(crd: KubeObject): string[] {
  const rules: string[] = [];
  const walk = (node: unknown, version: string): void => {
    if (Array.isArray(node)) node.forEach((n) => walk(n, version));
    else if (typeof node === "object" && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === "x-kubernetes-validations" && Array.isArray(value)) {
          for (const v of value as { rule: string }[]) rules.push(`${version}: ${v.rule}`);
        } else walk(value, version);
      }
    }
  };
  for (const v of (crd.spec as { versions: { name: string; schema?: unknown }[] }).versions) {
    walk(v.schema, v.name);
  }
  return rules.sort();
}

function recordingLogger() {
  const warnings: { crd?: string; dropped?: string[]; msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      const line = JSON.parse(chunk.toString()) as (typeof warnings)[number] & { level: number };
      if (line.level === 40) warnings.push(line);
      done();
    },
  });
  return { warnings, logger: pino({ level: "warn" }, stream) };
}

const clusterBinding = (name: string, namespace: string): KubeObject => ({
  apiVersion: "kube-bind.io/v1alpha2",
  kind: "ClusterBinding",
  metadata: { name, namespace },
  spec: {
    kubeconfigSecretRef: { name: "kubeconfig", key: "kubeconfig" },
    providerPrettyName: "Provider",
  },
});

const servers: {
  title: string;
  server: "current" | "old";
  cluster: () => Promise<DevCluster>;
}[] = [
  {
    title: "the current server",
    server: "current",
    // Upstream's CRDs share names with bindops's own: they get the interop cluster.
    cluster: async () => (await clusters()).interop,
  },
  { title: "the old server (1.20)", server: "old", cluster: oldCluster },
];

(upstreamDir && existsSync(upstreamDir) ? describe : describe.skip)(
  `version skew: upstream kube-bind CRDs on each server${
    upstreamDir ? "" : " (skipped: ../shared/reference/kube-bind is absent)"
  }`,
  function () {
    this.timeout(180_000);
    const crds = upstreamDir && existsSync(upstreamDir) ? readCrds(upstreamDir) : [];
    const withCel = crds.filter((c) => celRules(c).length > 0).map((c) => c.metadata.name);

    for (const { title, server, cluster: clusterFor } of servers) {
      describe(title, function () {
        let cluster: ConnectedCluster;
        const namespace = `skew-${Date.now().toString(36)}`;

        before(async function () {
          this.timeout(startTimeoutMs(server));
          const dev = await clusterFor();
          cluster = await connectCluster(dev.name, {
            kubeconfigDir: path.dirname(dev.kubeconfigPath),
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

        if (server === "current") {
          it("installs every CRD unchanged: no warning, every CEL rule kept by the server", async () => {
            assert.ok(withCel.length > 0, "some upstream CRDs carry CEL rules");
            const { logger, warnings } = recordingLogger();
            const installed = await installCrds(cluster.client, crds, { logger, force: true });
            assert.deepEqual(warnings, []);
            for (const { name, crd, dropped } of installed) {
              assert.deepEqual(dropped, [], name);
              const source = crds.find((c) => c.metadata.name === name)!;
              assert.deepEqual(celRules(crd), celRules(source), `${name}: CEL rules as written`);
            }
          });

          it("enforces their CEL rules: a ClusterBinding not named `cluster` is refused", async () => {
            await assert.rejects(
              cluster.client.apply(clusterBinding("not-cluster", namespace)),
              (e: unknown) => {
                assert.ok(e instanceof KubeError, String(e));
                assert.equal(e.code, "Invalid");
                assert.match(e.serverMessage ?? "", /cluster binding name should be cluster/);
                return true;
              },
            );
            const accepted = await cluster.client.apply(clusterBinding("cluster", namespace));
            assert.equal(accepted.metadata.name, "cluster");
          });
        } else {
          it("installs every CRD adapted, with one warning per CRD naming what was dropped", async () => {
            const { logger, warnings } = recordingLogger();
            const installed = await installCrds(cluster.client, crds, { logger, force: true });
            assert.deepEqual(warnings.map((w) => w.crd).sort(), [...withCel].sort());
            for (const w of warnings) {
              assert.ok(
                w.dropped?.some((d) => d.includes("x-kubernetes-validations")),
                JSON.stringify(w),
              );
              assert.match(w.msg, /1\.20/);
            }
            for (const { name, crd } of installed) {
              assert.deepEqual(celRules(crd), [], `${name}: no CEL rule reaches 1.20`);
            }
          });

          it("accepts what the dropped rules would refuse: 1.20 cannot enforce CEL", async () => {
            const accepted = await cluster.client.apply(clusterBinding("not-cluster", namespace));
            assert.equal(accepted.metadata.name, "not-cluster");
          });
        }
      });
    }
  },
);
