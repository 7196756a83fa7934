import { kill } from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import type { ProcessRecord } from "./dev-state.js";
import { runningProcess } from "./running-process.js";

export interface StopProcessOptions {
  /** How long SIGTERM gets before SIGKILL. Default 10 s. */
  graceMs?: number;
}

/** How a stop ended: it was not running (or no longer ours), it exited on SIGTERM, or was killed. */
export type StopOutcome = "not-running" | "terminated" | "killed";

/**
 * Stops one recorded process, verified first to still be that process (see `runningProcess`):
 * SIGTERM, then SIGKILL after the grace period. Not cancellable: a half-stopped control plane
 * would be worse than a few more seconds.
 */
export async function stopProcess(
  record: ProcessRecord,
  options: StopProcessOptions = {},
): Promise<StopOutcome> {
  if (!runningProcess(record)) return "not-running";
  if (!signal(record.pid, "SIGTERM")) return "not-running";
  if (await gone(record, options.graceMs ?? 10_000)) return "terminated";
  if (runningProcess(record)) signal(record.pid, "SIGKILL");
  await gone(record, 5_000);
  return "killed";
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    kill(pid, name);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

async function gone(record: ProcessRecord, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (runningProcess(record)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}
