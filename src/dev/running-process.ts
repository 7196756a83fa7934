import { readFileSync } from "node:fs";
import type { ProcessRecord } from "./dev-state.js";

/** A recorded process that is still alive and still the same program. */
export interface RunningProcess {
  pid: number;
  /** Resident memory, when the kernel reports it. */
  rssBytes: number | undefined;
}

/**
 * Whether the recorded process still runs: the pid exists, is not a zombie, and has the recorded
 * command line and start time — so a pid the kernel has since handed to another program is never
 * taken for ours. Reads Linux's /proc; elsewhere nothing counts as running.
 */
export function runningProcess(record: ProcessRecord): RunningProcess | undefined {
  const stat = readProc(record.pid, "stat");
  const cmdline = readProc(record.pid, "cmdline");
  if (stat === undefined || cmdline === undefined) return undefined;
  const fields = statFields(stat);
  if (fields === undefined || fields.state === "Z" || fields.startTime !== record.startTime) {
    return undefined;
  }
  if (cmdline !== record.argv.join("\0") + "\0") return undefined;
  const status = readProc(record.pid, "status");
  const rssKb = status === undefined ? undefined : /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  return { pid: record.pid, rssBytes: rssKb === undefined ? undefined : Number(rssKb) * 1024 };
}

/** The start time of a live process, used to fingerprint it right after it is spawned. */
export function processStartTime(pid: number): string | undefined {
  const stat = readProc(pid, "stat");
  return stat === undefined ? undefined : statFields(stat)?.startTime;
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return undefined;
  }
}

/** `/proc/<pid>/stat`: the command name is in parentheses and may itself hold spaces or `)`. */
function statFields(stat: string): { state: string; startTime: string } | undefined {
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields after "(comm)" start at field 3 (state); starttime is field 22.
  const state = rest[0];
  const startTime = rest[19];
  return state === undefined || startTime === undefined ? undefined : { state, startTime };
}
