import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import {
  controlPlaneServers,
  etcdBinDir,
  kubernetesBinDir,
  type ServerName,
} from "../../src/dev/control-plane-servers.js";
import type { DevCluster } from "../../src/dev/dev-cluster.js";
import { devDown } from "../../src/dev/dev-down.js";
import { defaultCacheDir, devPaths } from "../../src/dev/dev-paths.js";
import { devUp } from "../../src/dev/dev-up.js";
import type { DevState, ProcessRecord } from "../../src/dev/dev-state.js";
import { runningProcess } from "../../src/dev/running-process.js";
import { connectCluster, type ConnectedCluster } from "../../src/kube/connect-cluster.js";

export type { DevCluster, ServerName };

export interface TestClusters {
  provider: DevCluster;
  consumer: DevCluster;
  /**
   * A third cluster for upstream kube-bind's own CRDs. They share names with the kube-bind CRDs
   * bindops installs, so they get an API server of their own instead of replacing ours.
   */
  interop: DevCluster;
}

/** Where the control-plane binaries are cached, as the CLI decides. */
export const cacheDir = defaultCacheDir(process.env, process.cwd());

function cached(server: ServerName): boolean {
  return (
    existsSync(path.join(kubernetesBinDir(cacheDir, server), "kube-controller-manager")) &&
    existsSync(path.join(etcdBinDir(cacheDir), "etcd"))
  );
}

/**
 * A `before` hook that starts clusters needs this long: about 10 s once the binaries are cached,
 * but the first run on a machine builds them (10-30 minutes).
 */
export function startTimeoutMs(server: ServerName): number {
  return cached(server) ? 180_000 : 45 * 60_000;
}

/** The timeout for a `before` hook that calls `clusters()`. */
export const clusterStartTimeoutMs = startTimeoutMs("current");

const logger = pino(
  { level: process.env.BINDOPS_TEST_LOG ?? "warn", base: null },
  pino.destination(2),
);

/** One running control plane of the test run, in a temporary state folder. */
interface Started<T> {
  dir: string;
  ready: Promise<T>;
}
const running = new Map<ServerName, Started<DevCluster[]>>();

function start(server: ServerName, names: string[]): Promise<DevCluster[]> {
  const existing = running.get(server);
  if (existing) return existing.ready;
  const dir = mkdtempSync(path.join(tmpdir(), `bindops-it-${server}-`));
  process.once("exit", () => terminateSync(dir));
  const ready = devUp({
    stateDir: path.join(dir, "dev"),
    clusters: names,
    server,
    cacheDir,
    env: process.env,
    logger,
  }).then((result) => {
    // Once per run, so every test log says which Kubernetes it ran against.
    process.stderr.write(
      `      (local control plane: Kubernetes ${result.version}, ${server} server, ` +
        `clusters ${names.join(", ")})\n`,
    );
    return result.clusters;
  });
  running.set(server, { dir, ready });
  return ready;
}

/**
 * The provider, consumer and interop clusters of the current Kubernetes, shared by the whole mocha
 * run: started on first use, stopped by the root hook in `root-hooks.ts` (and, should that hook not
 * be registered, sent SIGTERM when the mocha process exits). Set `BINDOPS_TEST_LOG=info` to see
 * the start-up.
 */
export async function clusters(): Promise<TestClusters> {
  const [provider, consumer, interop] = await start("current", ["provider", "consumer", "interop"]);
  if (!provider || !consumer || !interop) {
    throw new Error("dev up returned fewer clusters than asked for");
  }
  return { provider, consumer, interop };
}

/**
 * One cluster of the old Kubernetes (1.20), for version-skew tests; shared by the run like
 * `clusters()`.
 */
export async function oldCluster(): Promise<DevCluster> {
  const [old] = await start("old", ["old"]);
  if (!old) throw new Error("dev up returned no cluster");
  return old;
}

/** Both servers, for tests that run on each: the version names the `describe`. */
export const servers: readonly { server: ServerName; version: string }[] = (
  ["current", "old"] as const
).map((server) => ({ server, version: controlPlaneServers[server].version }));

/** A cluster of the given server: the provider for `current`, the one old cluster for `old`. */
export async function clusterOf(server: ServerName): Promise<DevCluster> {
  return server === "current" ? (await clusters()).provider : oldCluster();
}

/** The state folder of a control plane this run started (ports, processes, certificates). */
export async function stateDirOf(server: ServerName): Promise<string> {
  const started = running.get(server);
  if (!started) throw new Error(`no ${server} control plane was started`);
  await started.ready;
  return path.join(started.dir, "dev");
}

/** Stops every control plane this run started, and deletes their temporary folders. */
export async function stopClusters(): Promise<void> {
  const all = [...running.values()];
  running.clear();
  await Promise.all(
    all.map(async ({ dir, ready }) => {
      await ready.catch(() => undefined);
      await devDown({ stateDir: path.join(dir, "dev"), purge: true, graceMs: 5_000, logger });
      rmSync(dir, { recursive: true, force: true });
    }),
  );
}

/** The last resort at exit, where nothing asynchronous runs: SIGTERM to each recorded process. */
function terminateSync(dir: string): void {
  if (!existsSync(dir)) return;
  let state: DevState;
  try {
    state = JSON.parse(readFileSync(devPaths(path.join(dir, "dev")).stateFile, "utf8")) as DevState;
  } catch {
    return;
  }
  const records: (ProcessRecord | undefined)[] = [
    state.etcd.process,
    ...state.clusters.flatMap((c) => [c.apiserver, c.controllerManager]),
  ];
  for (const record of records) {
    if (record && runningProcess(record)) process.kill(record.pid, "SIGTERM");
  }
  rmSync(dir, { recursive: true, force: true });
}

/** The test control plane's provider and consumer, connected, and the folder of their kubeconfigs. */
export async function connectedClusters(): Promise<{
  kubeconfigDir: string;
  provider: ConnectedCluster;
  consumer: ConnectedCluster;
}> {
  const kubeconfigDir = path.dirname((await clusters()).provider.kubeconfigPath);
  const provider = await connectCluster("provider", { kubeconfigDir, env: {} });
  const consumer = await connectCluster("consumer", { kubeconfigDir, env: {} });
  return { kubeconfigDir, provider, consumer };
}
