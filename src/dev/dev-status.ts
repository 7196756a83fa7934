import { existsSync } from "node:fs";
import { controlPlaneServers } from "./control-plane-servers.js";
import { devPaths } from "./dev-paths.js";
import { readDevState, type ProcessRecord } from "./dev-state.js";
import { runningProcess } from "./running-process.js";

export interface DevProcessStatus {
  /** `etcd`, `<cluster>-apiserver`, `<cluster>-controller-manager`. */
  name: string;
  running: boolean;
  /** The recorded pid; `undefined` when the process was never started or has been stopped. */
  pid: number | undefined;
  rssBytes: number | undefined;
  logPath: string;
}

export interface DevClusterStatus {
  name: string;
  server: string;
  kubeconfigPath: string;
  kubeconfigExists: boolean;
}

export interface DevStatus {
  stateDir: string;
  /** False when the folder holds no state: `dev up` never ran there, or it was purged. */
  exists: boolean;
  processes: DevProcessStatus[];
  clusters: DevClusterStatus[];
  /** Every recorded process runs. */
  allRunning: boolean;
  /** The Kubernetes version the clusters run; `undefined` when there is no state. */
  kubernetesVersion: string | undefined;
}

/** What runs in a `dev` state folder: each recorded process (verified by pid and command line). */
export async function devStatus(options: { stateDir: string }): Promise<DevStatus> {
  const paths = devPaths(options.stateDir);
  const state = await readDevState(paths.stateFile);
  if (!state) {
    return {
      stateDir: paths.stateDir,
      exists: false,
      processes: [],
      clusters: [],
      allRunning: false,
      kubernetesVersion: undefined,
    };
  }
  const describe = (name: string, record: ProcessRecord | undefined): DevProcessStatus => {
    const running = record ? runningProcess(record) : undefined;
    return {
      name,
      running: running !== undefined,
      pid: record?.pid,
      rssBytes: running?.rssBytes,
      logPath: paths.log(name),
    };
  };
  const processes = [
    describe("etcd", state.etcd.process),
    ...state.clusters.flatMap((c) => [
      describe(`${c.name}-apiserver`, c.apiserver),
      describe(`${c.name}-controller-manager`, c.controllerManager),
    ]),
  ];
  const clusters = state.clusters.map((c) => ({
    name: c.name,
    server: `https://127.0.0.1:${c.port}`,
    kubeconfigPath: paths.kubeconfig(c.name),
    kubeconfigExists: existsSync(paths.kubeconfig(c.name)),
  }));
  return {
    stateDir: paths.stateDir,
    exists: true,
    processes,
    clusters,
    allRunning: processes.every((p) => p.running),
    kubernetesVersion: controlPlaneServers[state.server].version,
  };
}
