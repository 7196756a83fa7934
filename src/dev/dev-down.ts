import { existsSync } from "node:fs";
import path from "node:path";
import { pid } from "node:process";
import { withStateLock } from "./with-state-lock.js";
import { readdir, rm, rmdir } from "node:fs/promises";
import type { Logger } from "pino";
import { devPaths } from "./dev-paths.js";
import { readDevState, writeDevState, type ProcessRecord } from "./dev-state.js";
import { stopProcess, type StopOutcome } from "./stop-process.js";

export interface DevDownOptions {
  stateDir: string;
  /** Also delete what `dev up` wrote: data, certificates, keys, kubeconfigs, logs. */
  purge?: boolean;
  /** SIGTERM's grace before SIGKILL. Default 10 s. */
  graceMs?: number;
  logger?: Logger;
}

export interface DevDownResult {
  /** False when the folder held no state. */
  found: boolean;
  stopped: { name: string; pid: number; outcome: StopOutcome }[];
  purged: boolean;
}

/**
 * Stops exactly the processes recorded in the state file — each verified to still be that
 * process — controller managers first, etcd last. With `purge`, deletes only the files and
 * folders `dev up` creates, then the folder itself if that leaves it empty.
 */
export async function devDown(options: DevDownOptions): Promise<DevDownResult> {
  if (!existsSync(options.stateDir)) return { found: false, stopped: [], purged: false };
  return withStateLock(options.stateDir, pid, () => down(options));
}

async function down(options: DevDownOptions): Promise<DevDownResult> {
  const paths = devPaths(options.stateDir);
  const state = await readDevState(paths.stateFile);
  if (!state) return { found: false, stopped: [], purged: false };
  const stopOptions = options.graceMs === undefined ? {} : { graceMs: options.graceMs };
  const stopped: DevDownResult["stopped"] = [];
  const stopAll = async (records: (ProcessRecord | undefined)[]) => {
    await Promise.all(
      records.map(async (record) => {
        if (!record) return;
        const outcome = await stopProcess(record, stopOptions);
        stopped.push({ name: record.name, pid: record.pid, outcome });
        if (outcome !== "not-running") {
          options.logger?.info(`stopped ${record.name} (pid ${record.pid})`);
        }
      }),
    );
  };
  // Dependents first, so none of them logs errors about the ones it depends on going away.
  await stopAll(state.clusters.map((c) => c.controllerManager));
  await stopAll(state.clusters.map((c) => c.apiserver));
  await stopAll([state.etcd.process]);

  if (!options.purge) {
    delete state.etcd.process;
    for (const c of state.clusters) {
      delete c.apiserver;
      delete c.controllerManager;
    }
    await writeDevState(paths.stateFile, state);
    return { found: true, stopped, purged: false };
  }
  const ours = [
    paths.etcdDataDir,
    paths.clustersDir,
    paths.pki.dir,
    paths.logsDir,
    // The demo's git repository and remote.
    path.join(paths.stateDir, "gitops"),
    ...state.clusters.map((c) => paths.kubeconfig(c.name)),
    `${paths.stateFile}.tmp`,
    paths.stateFile,
    path.join(paths.stateDir, ".gitignore"),
  ];
  for (const file of ours) await rm(file, { recursive: true, force: true });
  const left = await readdir(paths.stateDir);
  if (left.length === 0) await rmdir(paths.stateDir);
  else options.logger?.warn(`left ${paths.stateDir} in place: it holds ${left.join(", ")}`);
  return { found: true, stopped, purged: true };
}
