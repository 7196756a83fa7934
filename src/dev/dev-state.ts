import { readFile, rename, writeFile } from "node:fs/promises";
import { BindopsError } from "../core/errors.js";
import type { ServerName } from "./control-plane-servers.js";

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
  /**
   * 2 since etcd serves TLS and the API servers use the local CA. A version-1 state (plain-http
   * etcd, self-signed API servers, always 1.20) can still be stopped and listed, not started.
   */
  version: 1 | 2;
  /** Which Kubernetes runs here; its etcd data is not for the other one. */
  server: ServerName;
  etcd: { clientPort: number; peerPort: number; metricsPort: number; process?: ProcessRecord };
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
  // Version 1 had neither: it always ran 1.20, without a metrics port.
  parsed.server ??= "old";
  parsed.etcd.metricsPort ??= 0;
  return parsed as DevState;
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

type StoredState = Omit<DevState, "server" | "etcd"> & {
  server?: ServerName;
  etcd: Omit<DevState["etcd"], "metricsPort"> & { metricsPort?: number };
};

function isDevState(value: unknown): value is StoredState {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<DevState>;
  return (
    (v.version === 1 || (v.version === 2 && (v.server === "current" || v.server === "old"))) &&
    typeof v.etcd?.clientPort === "number" &&
    Array.isArray(v.clusters) &&
    v.clusters.every((c) => typeof c.name === "string" && typeof c.port === "number")
  );
}
