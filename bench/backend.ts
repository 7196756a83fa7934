/**
 * The backend benchmark: how many APIServiceExportRequests the built-in backend turns `Succeeded`
 * per second on a real local provider API server, when 1, 10 and 100 requests arrive at once, and
 * the benchmark process's peak RSS (backend and client in one process). Each round onboards a
 * fresh consumer namespace, creates the requests together and times until every one is
 * `Succeeded` (export, bound schema, one APIServiceNamespace each).
 *
 * Starts its own control plane (as `bindops dev up`) in a temporary folder and stops it at the
 * end; the first run on a machine builds it. Run with `node --import tsx bench/backend.ts`
 * (options: `--rounds 3`).
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { startBackend } from "../src/backend/backend.js";
import { onboardConsumer } from "../src/backend/onboard-consumer.js";
import { defaultCacheDir } from "../src/dev/dev-paths.js";
import { devDown } from "../src/dev/dev-down.js";
import { devUp } from "../src/dev/dev-up.js";
import { connectCluster } from "../src/kube/connect-cluster.js";
import { installCrds } from "../src/kube/install-crd.js";
import { installKubeBindCrds } from "../src/kube/install-kube-bind-crds.js";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "3" } } });
const rounds = Number(values.rounds);
const logger = pino({ level: "error" });
const group = "bench.bindops.dev";
const kb = "kube-bind.io/v1alpha2";

const dir = mkdtempSync(path.join(tmpdir(), "bindops-bench-backend-"));
const stateDir = path.join(dir, "dev");
try {
  const up = await devUp({
    stateDir,
    clusters: ["provider"],
    cacheDir: defaultCacheDir(process.env, process.cwd()),
    env: process.env,
    logger,
  });
  console.log(`provider: Kubernetes ${up.version} at ${up.clusters[0]!.server}`);
  const provider = await connectCluster("provider", { kubeconfigDir: stateDir, env: {} });
  await installKubeBindCrds(provider, logger, AbortSignal.timeout(60_000));
  await installCrds(
    provider.client,
    [
      {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: `widgets.${group}`, labels: { "kube-bind.io/exported": "true" } },
        spec: {
          group,
          scope: "Namespaced",
          names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
          versions: [
            {
              name: "v1",
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
              },
            },
          ],
        },
      },
    ],
    { logger },
  );
  const backend = startBackend({ client: provider.client, logger, workers: 4 });
  await backend.ready;

  console.log("\nconcurrent  round  requests/s  seconds");
  const summary: { concurrency: number; rates: number[] }[] = [];
  for (const concurrency of [1, 10, 100]) {
    const rates: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      const { namespace } = await onboardConsumer(provider.client, {
        identity: randomUUID(),
        author: "bench",
        prettyName: "bench",
      });
      const names = Array.from({ length: concurrency }, (_, i) => `r${i}`);
      const started = performance.now();
      await Promise.all(
        names.map((name) =>
          provider.client.create({
            apiVersion: kb,
            kind: "APIServiceExportRequest",
            metadata: { name, namespace },
            spec: {
              resources: [{ group, resource: "widgets", versions: ["v1"] }],
              namespaces: [{ name: `ns-${name}` }],
            },
          }),
        ),
      );
      for (;;) {
        const list = await provider.client.list({
          apiVersion: kb,
          kind: "APIServiceExportRequest",
          namespace,
        });
        const done = list.items.filter(
          (r) => (r.status as { phase?: string } | undefined)?.phase === "Succeeded",
        );
        if (done.length === concurrency) break;
        await sleep(20);
      }
      const seconds = (performance.now() - started) / 1000;
      rates.push(concurrency / seconds);
      console.log(
        `${String(concurrency).padStart(10)}  ${String(round).padStart(5)}  ${(
          concurrency / seconds
        )
          .toFixed(1)
          .padStart(10)}  ${seconds.toFixed(2).padStart(7)}`,
      );
      await provider.client.delete({ apiVersion: "v1", kind: "Namespace", name: namespace });
    }
    summary.push({ concurrency, rates });
  }
  await backend.stop();
  provider.client.close();

  console.log("\nmedian requests/s (each request: export, bound schema, one namespace, status)");
  for (const { concurrency, rates } of summary) {
    const sorted = [...rates].sort((a, b) => a - b);
    console.log(
      `  ${String(concurrency).padStart(3)} at once: ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)}`,
    );
  }
  console.log(`peak RSS of this process: ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
} finally {
  await devDown({ stateDir, purge: true, graceMs: 5_000, logger });
  rmSync(dir, { recursive: true, force: true });
}
