import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import type { DevCluster } from "../../src/dev/dev-cluster.js";
import { devDown } from "../../src/dev/dev-down.js";
import { defaultCacheDir, devPaths } from "../../src/dev/dev-paths.js";
import { controlPlaneBuild } from "../../src/dev/ensure-binaries.js";
import { devUp } from "../../src/dev/dev-up.js";
import type { DevState, ProcessRecord } from "../../src/dev/dev-state.js";
import { runningProcess } from "../../src/dev/running-process.js";

export type { DevCluster };

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

/**
 * A `before` hook that calls `clusters()` needs this long: about 10 s once the binaries are
 * cached, but the first run on a machine builds them (5-15 minutes).
 */
export const clusterStartTimeoutMs = existsSync(
  path.join(cacheDir, "control-plane", controlPlaneBuild, "bin", "kube-controller-manager"),
)
  ? 180_000
  : 30 * 60_000;

const logger = pino(
  { level: process.env.BINDOPS_TEST_LOG ?? "warn", base: null },
  pino.destination(2),
);
let tempDir: string | undefined;
let started: Promise<TestClusters> | undefined;

/**
 * The provider and consumer clusters shared by the whole mocha run: started on first use in a
 * temporary state folder, stopped by the root hook in `root-hooks.ts` (and, should that hook not
 * be registered, sent SIGTERM when the mocha process exits). Set `BINDOPS_TEST_LOG=info` to see
 * the start-up.
 */
export function clusters(): Promise<TestClusters> {
  started ??= start();
  return started;
}

async function start(): Promise<TestClusters> {
  const dir = mkdtempSync(path.join(tmpdir(), "bindops-it-"));
  tempDir = dir;
  process.once("exit", () => terminateSync(dir));
  const result = await devUp({
    stateDir: path.join(dir, "dev"),
    clusters: ["provider", "consumer", "interop"],
    cacheDir,
    env: process.env,
    logger,
  });
  const [provider, consumer, interop] = result.clusters;
  if (!provider || !consumer || !interop) {
    throw new Error("dev up returned fewer clusters than asked for");
  }
  return { provider, consumer, interop };
}

/** Stops the shared clusters if this run started them, and deletes their temporary folder. */
export async function stopClusters(): Promise<void> {
  const dir = tempDir;
  if (dir === undefined) return;
  await started?.catch(() => undefined);
  await devDown({ stateDir: path.join(dir, "dev"), purge: true, graceMs: 5_000, logger });
  rmSync(dir, { recursive: true, force: true });
  tempDir = undefined;
  started = undefined;
}

/** The last resort at exit, where nothing asynchronous runs: SIGTERM to each recorded process. */
function terminateSync(dir: string): void {
  if (tempDir !== dir) return;
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
