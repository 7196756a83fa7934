/**
 * The sync benchmark: how fast the konnector carries consumer objects to the provider, next to how
 * fast the same objects can be written to the provider directly.
 *
 * Starts its own control plane (as `bindops dev up`, provider and consumer) in a temporary folder,
 * writes a small bindops repository there (a provider CRD `Widget` with a two-field schema, a
 * template and one ServiceBinding) and binds it with `bindops reconcile`, then runs the backend
 * and the konnector in this process, as `bindops run` does. It prints:
 *
 * - the time for one object to cross: a sample of single creates, each timed from the consumer
 *   create until the bench's own watch on the provider sees the copy (median, p99);
 * - the konnector's rate for N objects (from the first create on the consumer to the last copy seen
 *   on the provider), with the consumer creating them as fast as it can;
 * - in the same run, against the same provider API server, the rate of server-side applies of the
 *   same objects straight to the provider, as many at once as the konnector writes (once before and
 *   once after the konnector's run, to bracket the machine's load), and the ratio;
 * - the growth of this process's RSS over its baseline before the sync (sampled during it), per
 *   1,000 synced objects.
 *
 * Figures are printed, never asserted. Everything it creates goes with the control plane at the
 * end. Run with `npm run bench:sync` (`-- --count 500 --sample 20` for a quick run).
 */
import { execFile, execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import v8 from "node:v8";
import vm from "node:vm";
import { pino } from "pino";
import { startBackend, type RunningBackend } from "../src/backend/backend.js";
import { konnectorKeys } from "../src/core/kube-bind-objects.js";
import { defaultCacheDir } from "../src/dev/dev-paths.js";
import { devDown } from "../src/dev/dev-down.js";
import { devUp } from "../src/dev/dev-up.js";
import { connectCluster, type ConnectedCluster } from "../src/kube/connect-cluster.js";
import type { KubeClient, KubeObject } from "../src/kube/kube-client.js";
import { isKubeError } from "../src/kube/kube-error.js";
import { getOrUndefined } from "../src/kube/not-found.js";
import { openProviderKubeconfig } from "../src/kube/open-provider-kubeconfig.js";
import { startKonnector, type RunningKonnector } from "../src/sync/konnector.js";
import { specFieldManager, specWorkers } from "../src/sync/resource-syncer.js";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "2000" },
    sample: { type: "string", default: "50" },
    "create-concurrency": { type: "string", default: "16" },
  },
});
const count = Number(values.count);
const sample = Number(values.sample);
const createConcurrency = Number(values["create-concurrency"]);
for (const [name, value] of [
  ["--count", count],
  ["--sample", sample],
  ["--create-concurrency", createConcurrency],
] as const) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}: a positive integer`);
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const logger = pino({ level: process.env.BINDOPS_BENCH_LOG ?? "error" });
const group = "bench.bindops.dev";
const apiVersion = `${group}/v1alpha1`;
const kind = "Widget";
const consumerNamespace = "bench-sync";
const kb = "kube-bind.io/v1alpha2";
const stop = new AbortController();
process.once("SIGINT", () => stop.abort(new Error("interrupted")));
const { signal } = stop;
// Every request in flight listens to it.
setMaxListeners(0, signal);

// RSS is compared with a baseline: collect garbage first, so that the phases before do not count.
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

const dir = mkdtempSync(path.join(tmpdir(), "bindops-bench-sync-"));
const stateDir = path.join(dir, "dev");
const seconds = (ms: number) => (ms / 1000).toFixed(1);
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const say = (line: string) => console.log(line);

/** The bench's repository: one provider CRD, a template of it, one binding of one namespace. */
function writeRepository(repo: string): void {
  const files: Record<string, string> = {
    "bindops.yaml": `apiVersion: bindops.dev/v1alpha1
kind: Repository
metadata:
  name: bench-sync
spec:
  clusters:
    provider:
      role: provider
    consumer:
      role: consumer
`,
    "providers/bench/crds/widgets.yaml": `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.${group}
  labels:
    kube-bind.io/exported: "true"
spec:
  group: ${group}
  names:
    kind: ${kind}
    listKind: ${kind}List
    plural: widgets
    singular: widget
  scope: Namespaced
  versions:
    - name: v1alpha1
      served: true
      storage: true
      subresources:
        status: {}
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size:
                  type: integer
                  minimum: 1
                color:
                  type: string
                  enum: [red, green, blue]
            status:
              type: object
              properties:
                phase:
                  type: string
`,
    "providers/bench/templates/widgets.yaml": `apiVersion: ${kb}
kind: APIServiceExportTemplate
metadata:
  name: widgets
spec:
  description: Widgets, a kind with a small schema for the sync benchmark.
  scope: Namespaced
  resources:
    - group: ${group}
      resource: widgets
      versions:
        - v1alpha1
`,
    "consumers/bench/bindings/widgets.yaml": `apiVersion: bindops.dev/v1alpha1
kind: ServiceBinding
metadata:
  name: widgets
spec:
  consumer: consumer
  provider: provider
  template: widgets
  namespaces:
    - name: ${consumerNamespace}
`,
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    writeFileSync(path.join(repo, file), text);
  }
  const env = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, env });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "commit", "-qm", "bench");
}

const widget = (name: string, namespace: string, i: number): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, namespace },
  spec: { size: (i % 64) + 1, color: ["red", "green", "blue"][i % 3] },
});

/** Runs `fn` over `items`, `concurrency` at a time. */
async function pool<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        signal.throwIfAborted();
        const index = next++;
        await fn(items[index]!, index);
      }
    }),
  );
}

/** Polls `probe` until it returns a value; fails after `ms`. */
async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 120_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    signal.throwIfAborted();
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs, undefined, { signal });
  }
}

/**
 * The bench's own watch on the provider namespace: when each Widget copy was first seen. Lighter
 * than an informer (it keeps one number per object), so it adds little to the RSS measured. It
 * lists first (what exists counts as seen then), and lists again after a 410.
 */
class CopyWatch {
  readonly seenAt = new Map<string, number>();
  private readonly waiters = new Map<string, () => void>();
  private readonly abort = new AbortController();
  private readonly done: Promise<void>;
  readonly listed: Promise<void>;

  constructor(client: KubeClient, namespace: string) {
    const query = { apiVersion, kind, namespace };
    const call = { signal: this.abort.signal };
    let listed: () => void = () => {};
    this.listed = new Promise((resolve) => (listed = resolve));
    this.done = (async () => {
      let from: string | undefined;
      while (!this.abort.signal.aborted) {
        try {
          if (from === undefined) {
            const list = await client.list(query, call);
            for (const item of list.items) this.see(item.metadata.name);
            from = list.resourceVersion;
            listed();
          }
          for await (const event of client.watch(
            { ...query, resourceVersion: from, timeoutSeconds: 3600 },
            call,
          )) {
            from = event.object.metadata.resourceVersion ?? from;
            if (event.type === "ADDED" || event.type === "MODIFIED") {
              this.see(event.object.metadata.name);
            }
          }
        } catch (error) {
          if (this.abort.signal.aborted) return;
          if (isKubeError(error, "Gone")) from = undefined;
          else await sleep(200);
        }
      }
    })();
  }

  /** Resolves with the time the copy of `name` was first seen. */
  seen(name: string): Promise<number> {
    const at = this.seenAt.get(name);
    if (at !== undefined) return Promise.resolve(at);
    return new Promise((resolve) => this.waiters.set(name, () => resolve(this.seenAt.get(name)!)));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done.catch(() => undefined);
  }

  private see(name: string): void {
    if (this.seenAt.has(name)) return;
    this.seenAt.set(name, performance.now());
    this.waiters.get(name)?.();
    this.waiters.delete(name);
  }
}

/** Resolves `promise`, or fails after `ms` naming `what` (or on Ctrl-C). */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  const timeout = AbortSignal.any([signal, AbortSignal.timeout(ms)]);
  let onAbort: () => void = () => {};
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        onAbort = () =>
          reject(
            signal.aborted ? new Error("interrupted") : new Error(`timed out waiting for ${what}`),
          );
        timeout.addEventListener("abort", onAbort, { once: true });
      }),
    ]);
  } finally {
    timeout.removeEventListener("abort", onAbort);
  }
}

/** Calls `fn` every `ms` until the returned function is called. */
function every(ms: number, fn: () => void): () => void {
  const timer = setInterval(fn, ms);
  return () => clearInterval(timer);
}

/** `bindops reconcile` of the bench's repository, through the CLI (run from source). */
async function reconcile(repo: string): Promise<void> {
  const cli = path.join(repoRoot, "src", "cli", "main.ts");
  try {
    await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", cli, "reconcile", "--repo", repo, "--kubeconfig-dir", stateDir],
      { cwd: repoRoot, env: { ...process.env, NO_COLOR: "1" }, timeout: 600_000, signal },
    );
  } catch (error) {
    const { code, stderr } = error as { code?: unknown; stderr?: string };
    throw new Error(`bindops reconcile failed (exit ${String(code)}):\n${stderr ?? ""}`);
  }
}

/**
 * Server-side applies of `names` straight to the provider, `concurrency` at once, as the konnector
 * writes its copies (same body, annotations and field manager): objects per second.
 */
async function applyRate(
  client: KubeClient,
  namespace: string,
  names: readonly string[],
  concurrency: number,
  clusterNamespace: string,
): Promise<number> {
  await client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
  let done = 0;
  const t0 = performance.now();
  const stopProgress = every(5_000, () =>
    say(`  ${seconds(performance.now() - t0)} s: ${done}/${names.length} applied`),
  );
  try {
    await pool(names, concurrency, async (name, i) => {
      const object = widget(name, namespace, i);
      object.metadata.annotations = {
        [konnectorKeys.clusterNamespace]: clusterNamespace,
        [konnectorKeys.consumerNamespace]: consumerNamespace,
        [konnectorKeys.consumerUid]: randomUUID(),
      };
      await client.apply(object, { fieldManager: specFieldManager, force: true, signal });
      done++;
    });
  } finally {
    stopProgress();
  }
  return names.length / ((performance.now() - t0) / 1000);
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

let provider: ConnectedCluster | undefined;
let consumer: ConnectedCluster | undefined;
let backend: RunningBackend | undefined;
let konnector: RunningKonnector | undefined;
let copies: CopyWatch | undefined;
const loadAtStart = loadavg()[0]!;
try {
  say(
    `bench:sync, ${count} objects and ${sample} single crossings, on ${cpus().length} cores ` +
      `(load average ${loadAtStart.toFixed(1)})`,
  );
  say(
    "The figures are noisy: the API servers, etcd and this process share the cores with whatever " +
      "else runs here.\n",
  );
  say("starting a local control plane (provider, consumer) ...");
  const up = await devUp({
    stateDir,
    cacheDir: defaultCacheDir(process.env, process.cwd()),
    env: process.env,
    logger,
    signal,
  });
  say(`Kubernetes ${up.version}, both API servers on loopback`);
  const repo = path.join(dir, "repo");
  writeRepository(repo);
  say("bindops reconcile of the bench's repository (a Widget CRD, its template, one binding) ...");
  await reconcile(repo);
  provider = await connectCluster("provider", { kubeconfigDir: stateDir, env: {} });
  consumer = await connectCluster("consumer", { kubeconfigDir: stateDir, env: {} });
  const p = provider.client;
  const c = consumer.client;
  await c.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: consumerNamespace } });
  backend = startBackend({ client: p, logger });
  await backend.ready;
  konnector = startKonnector({
    consumer: c,
    connect: (text) => openProviderKubeconfig(text),
    logger,
    version: "bindops-bench",
  });
  await konnector.ready;

  say("backend and konnector running; waiting for the Widget CRD on the consumer ...");
  await until(
    "the Widget kind on the consumer",
    () =>
      c.create(widget("warm-up", consumerNamespace, 0)).then(
        () => true,
        (error: unknown) => (isKubeError(error, "Conflict") ? true : undefined),
      ),
    180_000,
  );
  const request = (await p.list({ apiVersion: kb, kind: "APIServiceExportRequest" })).items.find(
    (r) => r.metadata.name === "widgets",
  );
  if (request === undefined) throw new Error("no APIServiceExportRequest widgets on the provider");
  const clusterNamespace = request.metadata.namespace!;
  const providerNamespace = await until(
    `the provider namespace of ${consumerNamespace}`,
    async () => {
      const sn = await getOrUndefined(p, {
        apiVersion: kb,
        kind: "APIServiceNamespace",
        namespace: clusterNamespace,
        name: consumerNamespace,
      });
      return (sn?.status as { namespace?: string } | undefined)?.namespace || undefined;
    },
  );
  copies = new CopyWatch(p, providerNamespace);
  await within(copies.listed, 60_000, "the provider's Widgets listed");
  await within(copies.seen("warm-up"), 120_000, "the first copy on the provider");

  /** Waits until every consumer Widget carries its copy's uid: the round trip is complete. */
  const settle = async (): Promise<number> => {
    const t0 = performance.now();
    await until(
      "every consumer object to carry its provider copy's uid",
      async () => {
        const items = (await c.list({ apiVersion, kind, namespace: consumerNamespace })).items;
        const done = items.filter((o) => o.metadata.annotations?.[konnectorKeys.providerUid]);
        return done.length === items.length ? true : undefined;
      },
      30 * 60_000,
      1_000,
    );
    return performance.now() - t0;
  };
  await settle();

  say(`\none object at a time: ${sample} creates, each timed until its copy is seen ...`);
  const crossings: number[] = [];
  for (let i = 0; i < sample; i++) {
    const name = `single-${i}`;
    const t0 = performance.now();
    await c.create(widget(name, consumerNamespace, i), { signal });
    crossings.push((await within(copies.seen(name), 60_000, `the copy of ${name}`)) - t0);
    // The konnector finishes the round trip (the copy's uid back on the consumer) before the next.
    await sleep(250);
    if ((i + 1) % 10 === 0 || i + 1 === sample) say(`  ${i + 1}/${sample}`);
  }
  await settle();

  const concurrency = specWorkers;
  say(
    `\nserver-side apply of ${count} Widgets straight to the provider, ${concurrency} at once ...`,
  );
  const names = Array.from({ length: count }, (_, i) => `w-${String(i).padStart(5, "0")}`);
  const applyBefore = await applyRate(
    p,
    "bench-apply-before",
    names,
    concurrency,
    clusterNamespace,
  );
  say(`  ${applyBefore.toFixed(1)} objects/s`);

  gc();
  await sleep(1_000);
  gc();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const stopSampling = every(50, () => {
    peak = Math.max(peak, process.memoryUsage().rss);
  });
  say(
    `\nthe konnector: ${count} Widgets created on the consumer, ${createConcurrency} at once ...`,
  );
  const seenBefore = copies.seenAt.size;
  let created = 0;
  let createdAt = 0;
  const t0 = performance.now();
  const stopProgress = every(5_000, () =>
    say(
      `  ${seconds(performance.now() - t0)} s: ${created}/${count} created on the consumer, ` +
        `${copies!.seenAt.size - seenBefore}/${count} copies on the provider`,
    ),
  );
  let lastSeen: number;
  let settledMs: number;
  try {
    const creating = pool(names, createConcurrency, async (name, i) => {
      await c.create(widget(name, consumerNamespace, i), { signal });
      created++;
    }).then(() => {
      createdAt = performance.now();
    });
    const [seen] = await within(
      Promise.all([Promise.all(names.map((name) => copies!.seen(name))), creating]),
      60 * 60_000,
      "every copy on the provider",
    );
    lastSeen = Math.max(...seen);
    settledMs = await settle();
  } finally {
    stopProgress();
    stopSampling();
  }
  gc();
  await sleep(1_000);
  gc();
  // What stays once the garbage is collected: mostly the informers' caches of both clusters.
  const retained = process.memoryUsage().rss - baseline;
  const syncSeconds = (lastSeen - t0) / 1000;
  const syncRate = count / syncSeconds;
  say(
    `  ${count} copies in ${syncSeconds.toFixed(1)} s (creates done after ` +
      `${seconds(createdAt - t0)} s; every uid back on the consumer ${seconds(settledMs)} s later)`,
  );

  say(`\nserver-side apply again, after the konnector's run ...`);
  const applyAfter = await applyRate(p, "bench-apply-after", names, concurrency, clusterNamespace);
  say(`  ${applyAfter.toFixed(1)} objects/s`);
  const applyMean = (applyBefore + applyAfter) / 2;
  const growth = peak - baseline;

  say("\nresults");
  say(`  konnector, consumer → provider:     ${syncRate.toFixed(1)} objects/s (${count} objects)`);
  say(
    `  server-side apply to the provider:  ${applyMean.toFixed(1)} objects/s ` +
      `(${applyBefore.toFixed(1)} before, ${applyAfter.toFixed(1)} after; ${concurrency} at once, ` +
      `as the konnector writes)`,
  );
  say(`  ratio:                              ${(syncRate / applyMean).toFixed(2)} (aim ≥ 0.7)`);
  say(
    `  one object crossing:                median ${percentile(crossings, 50).toFixed(0)} ms, ` +
      `p99 ${percentile(crossings, 99).toFixed(0)} ms (${sample} creates` +
      `${sample < 100 ? ": the p99 is the slowest" : ""})`,
  );
  say(
    `  RSS during the sync:                peak ${mib(peak)} MiB, ${mib(growth)} MiB over the ` +
      `${mib(baseline)} MiB before it: ${mib(growth / (count / 1000))} MiB per 1,000 objects ` +
      `(aim < 50); ${mib(retained)} MiB still held after garbage collection`,
  );
  say(
    `  load average: ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the ` +
      `end, on ${cpus().length} cores: noisy figures, compare runs on a quiet machine`,
  );
} finally {
  const report = (error: unknown) => console.error(`cleanup: ${String(error)}`);
  await copies?.stop();
  await konnector?.stop().catch(report);
  await backend?.stop().catch(report);
  provider?.client.close();
  consumer?.client.close();
  say("\nstopping the control plane and deleting its folder ...");
  await devDown({ stateDir, purge: true, graceMs: 5_000, logger });
  rmSync(dir, { recursive: true, force: true });
}
