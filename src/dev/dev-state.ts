import { readFile, rename, writeFile } from "node:fs/promises";
import { BindopsError } from "../core/errors.js";

/** One process `dev up` started, recorded so that `dev down` stops exactly it and nothing else. */
export interface ProcessRecord {
  /** Also the log file's name: `etcd`, `<cluster>-apiserver`, `<cluster>-controller-manager`. */
  name: string;
  pid: number;
  /** The full command line, binary first; a live pid with another command line is not ours. */
  argv: string[];
  /** `/proc/<pid>/stat` start time (clock ticks since boot); guards against pid reuse. */
  startTime: string;
  logPath: string;
}

export interface ClusterRecord {
  name: string;
  /** kube-apiserver's secure port on 127.0.0.1. */
  port: number;
  /** The admin bearer token (group `system:masters`). */
  token: string;
  apiserver?: ProcessRecord;
  controllerManager?: ProcessRecord;
}

/** The contents of `<state>/state.json`. */
export interface DevState {
  version: 1;
  etcd: { clientPort: number; peerPort: number; process?: ProcessRecord };
  clusters: ClusterRecord[];
}

/** Reads the state file; `undefined` when there is none yet. */
export async function readDevState(stateFile: string): Promise<DevState | undefined> {
  let text: string;
  try {
    text = await readFile(stateFile, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new BindopsError("unreachable", "dev-state-unreadable", `cannot read ${stateFile}`, {
      cause: error,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw notState(stateFile, error);
  }
  if (!isDevState(parsed)) throw notState(stateFile);
  return parsed;
}

/** Writes the state file atomically (mode 0600: it holds admin tokens). */
export async function writeDevState(stateFile: string, state: DevState): Promise<void> {
  const tmp = `${stateFile}.tmp`;
  await writeFile(tmp, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
  await rename(tmp, stateFile);
}

function notState(stateFile: string, cause?: unknown): BindopsError {
  return new BindopsError(
    "usage",
    "dev-state-invalid",
    `${stateFile} is not a bindops dev state file`,
    {
      hint: "stop any processes it started by hand, then delete the folder or choose another --state-dir",
      cause,
    },
  );
}

function isDevState(value: unknown): value is DevState {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<DevState>;
  return (
    v.version === 1 &&
    typeof v.etcd?.clientPort === "number" &&
    Array.isArray(v.clusters) &&
    v.clusters.every((c) => typeof c.name === "string" && typeof c.port === "number")
  );
}
