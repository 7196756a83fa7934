/**
 * The reconcile benchmark, on a real local control plane (started as `bindops dev up` in a
 * temporary folder, stopped at the end) and a real git repository: for repositories of 1, 10 and
 * 100 ServiceBindings (the examples' orders-db binding, renamed), the time of the first reconcile
 * (every request to `Succeeded`, every APIServiceBinding on the consumer) per binding, then the
 * time of a second reconcile of the same, unchanged revision, next to the time of reading that
 * revision from git alone (the floor an unchanged reconcile is compared with). Then, with
 * `bindops run --watch` following a folder, the time from saving a new binding's file to its
 * request's `Succeeded` on the provider, over `--saves` saves (median, fastest, slowest).
 *
 * Run with `npm run bench:reconcile` (`-- --counts 1,10` for fewer sizes, `--saves 0` to skip
 * the watch mode).
 */
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { Reconciler } from "../src/cli/reconciler.js";
import { connectCluster } from "../src/kube/connect-cluster.js";
import { defaultCacheDir } from "../src/dev/dev-paths.js";
import { devDown } from "../src/dev/dev-down.js";
import { devUp } from "../src/dev/dev-up.js";
import { readRevisionSnapshot } from "../src/git/read-revision-snapshot.js";

const { values } = parseArgs({
  options: {
    counts: { type: "string", default: "1,10,100" },
    saves: { type: "string", default: "20" },
  },
});
const counts = values.counts.split(",").map(Number);
if (!counts.every((n) => Number.isInteger(n) && n > 0)) throw new Error("--counts: e.g. 1,10,100");
const saves = Number(values.saves);
if (!Number.isInteger(saves) || saves < 0) throw new Error("--saves: a number of saves, e.g. 20");
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const logger = pino({ level: "error" });
const dir = mkdtempSync(path.join(tmpdir(), "bindops-bench-reconcile-"));
const stateDir = path.join(dir, "dev");
const env = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };

function repositoryOf(count: number, name = `repo-${count}`): string {
  const repo = path.join(dir, name);
  cpSync(path.join(repoRoot, "examples"), repo, { recursive: true });
  const bindings = path.join(repo, "consumers");
  const template = readFileSync(
    path.join(bindings, "orders", "bindings", "orders-db.yaml"),
    "utf8",
  );
  unlinkSync(path.join(bindings, "orders", "bindings", "orders-db.yaml"));
  unlinkSync(path.join(bindings, "billing", "bindings", "billing-db.yaml"));
  for (let i = 0; i < count; i++) {
    writeFileSync(
      path.join(bindings, "orders", "bindings", `db-${count}-${i}.yaml`),
      template.replace("name: orders-db", `name: db-${count}-${i}`),
    );
  }
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, env });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "commit", "-qm", "bench");
  return repo;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  const up = await devUp({
    stateDir,
    cacheDir: defaultCacheDir(process.env, process.cwd()),
    env: process.env,
    logger,
  });
  console.log(`Kubernetes ${up.version}, provider and consumer on loopback\n`);
  console.log("bindings  first reconcile  per binding  unchanged reconcile  git read alone");
  for (const count of counts) {
    const repo = repositoryOf(count);
    const revision = execFileSync("git", ["rev-parse", "HEAD"], { cwd: repo, env })
      .toString()
      .trim();
    const reconciler = new Reconciler({
      kubeconfigDir: stateDir,
      backend: "builtin",
      requestTimeoutMs: 300_000,
      env: process.env,
      cwd: process.cwd(),
      logger,
      signal: AbortSignal.timeout(30 * 60_000),
    });
    try {
      // Connecting and starting the backend are not part of a reconcile: warm them up first.
      const t0 = performance.now();
      let snapshot = await readRevisionSnapshot(repo, revision);
      const first = await reconciler.reconcile(snapshot, revision);
      const firstMs = performance.now() - t0;
      if (first.failed.length > 0) throw new Error(`failed: ${first.failed.join(", ")}`);
      const unchanged: number[] = [];
      const reads: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r0 = performance.now();
        snapshot = await readRevisionSnapshot(repo, revision);
        reads.push(performance.now() - r0);
        const u0 = performance.now();
        await reconciler.reconcile(snapshot, revision);
        unchanged.push(performance.now() - u0 + reads[reads.length - 1]!);
      }
      console.log(
        `${String(count).padStart(8)}  ${(firstMs / 1000).toFixed(2).padStart(13)} s  ` +
          `${(firstMs / count / 1000).toFixed(2).padStart(9)} s  ` +
          `${(median(unchanged) / 1000).toFixed(2).padStart(17)} s  ` +
          `${median(reads).toFixed(0).padStart(11)} ms`,
      );
    } finally {
      await reconciler.close();
    }
  }
  if (saves > 0) await watchLatency(saves);
  console.log(
    `\npeak RSS of this process: ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`,
  );
} finally {
  await devDown({ stateDir, purge: true, graceMs: 5_000, logger });
  rmSync(dir, { recursive: true, force: true });
}

/**
 * `bindops run --watch` on a folder of one binding: each save adds a binding's file, and the time
 * until its request is `Succeeded` on the provider is measured. The next save waits for the pass
 * to finish, so each measures a reconcile that starts from a save.
 */
async function watchLatency(count: number): Promise<void> {
  const folder = repositoryOf(1, "watched");
  const bindings = path.join(folder, "consumers", "orders", "bindings");
  const template = readFileSync(path.join(bindings, "db-1-0.yaml"), "utf8");
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      path.join(repoRoot, "src/cli/main.ts"),
      "run",
      "--watch",
      "--repo",
      folder,
      "--interval",
      "3600",
      "--kubeconfig-dir",
      stateDir,
      "--log-format",
      "json",
    ],
    { env, stdio: ["ignore", "ignore", "pipe"] },
  );
  let passes = 0;
  child.stderr.setEncoding("utf8").on("data", (text: string) => {
    passes += text.split("\n").filter((l) => l.includes('"msg":"reconciled ')).length;
  });
  const provider = await connectCluster("provider", { kubeconfigDir: stateDir, env: {} });
  const until = async (ok: () => boolean | Promise<boolean>) => {
    const deadline = Date.now() + 300_000;
    while (!(await ok())) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error("bindops run --watch stalled");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const succeeded = async (name: string) => {
    const requests = await provider.client.list({
      apiVersion: "kube-bind.io/v1alpha2",
      kind: "APIServiceExportRequest",
      labelSelector: "bindops.dev/managed-by=bindops",
    });
    const request = requests.items.find((r) => r.metadata.name === name);
    return (request?.status as { phase?: string } | undefined)?.phase === "Succeeded";
  };
  try {
    await until(() => passes >= 1);
    const latencies: number[] = [];
    for (let i = 0; i < count; i++) {
      const name = `saved-${i}`;
      const before = passes;
      const t0 = performance.now();
      writeFileSync(
        path.join(bindings, `${name}.yaml`),
        template.replace("name: db-1-0", `name: ${name}`),
      );
      await until(() => succeeded(name));
      latencies.push(performance.now() - t0);
      await until(() => passes > before);
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(
      `\nbindops run --watch, save of a new binding to its request Succeeded (${count} saves): ` +
        `median ${(median(latencies) / 1000).toFixed(2)} s, ` +
        `fastest ${(sorted[0]! / 1000).toFixed(2)} s, slowest ${(sorted[sorted.length - 1]! / 1000).toFixed(2)} s`,
    );
  } finally {
    provider.client.close();
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  }
}
