import { pino } from "pino";
import { devPaths } from "../../src/dev/dev-paths.js";
import { readDevState } from "../../src/dev/dev-state.js";
import { devUp } from "../../src/dev/dev-up.js";
import { stopProcess } from "../../src/dev/stop-process.js";
import { cacheDir, stateDirOf } from "./clusters.js";

const quiet = pino(
  { level: process.env.BINDOPS_TEST_LOG ?? "warn", base: null },
  pino.destination(2),
);

/**
 * Stops the kube-apiserver of one cluster of the run's current control plane (etcd and the other
 * clusters keep running) and returns how to start it again with the same command line, port and
 * certificates. Between the two, clients of that cluster get connection errors.
 */
export async function stopApiserver(cluster: string): Promise<{ start(): Promise<void> }> {
  const stateDir = await stateDirOf("current");
  const state = await readDevState(devPaths(stateDir).stateFile);
  const record = state?.clusters.find((c) => c.name === cluster)?.apiserver;
  if (record === undefined) throw new Error(`no API server of ${cluster} in the dev state`);
  if ((await stopProcess(record, { graceMs: 10_000 })) === "not-running") {
    throw new Error(`the API server of ${cluster} was not running`);
  }
  return {
    async start() {
      const result = await devUp({
        stateDir,
        clusters: state!.clusters.map((c) => c.name),
        server: "current",
        cacheDir,
        env: process.env,
        logger: quiet,
        build: false,
      });
      if (!result.started.includes(`${cluster}-apiserver`)) {
        throw new Error(`dev up started ${result.started.join(", ") || "nothing"}, not ${cluster}`);
      }
    },
  };
}
