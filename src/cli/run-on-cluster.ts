import type { Logger } from "pino";
import { ExitCode } from "../core/errors.js";
import { connectCluster, type ConnectedCluster } from "../kube/connect-cluster.js";
import { installKubeBindCrds } from "../kube/install-kube-bind-crds.js";
import type { CommandContext } from "./io.js";

/** Something that runs on a cluster until stopped: the backend, the konnector. */
export interface Running {
  stop(): Promise<void>;
}

/**
 * Connects to one cluster (exit 4 when it cannot be reached), installs kube-bind's CRDs unless
 * told not to, starts `what` and runs it until SIGINT or SIGTERM; then finishes its in-flight
 * work and exits 0.
 */
export async function runOnCluster(
  ctx: CommandContext,
  options: {
    cluster: string;
    kubeconfig?: string | undefined;
    kubeconfigDir?: string | undefined;
    installCrds: boolean;
  },
  what: string,
  start: (cluster: ConnectedCluster, logger: Logger) => Running,
): Promise<ExitCode> {
  const cluster = await connectCluster(options.cluster, {
    ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
    ...(options.kubeconfigDir ? { kubeconfigDir: options.kubeconfigDir } : {}),
    env: ctx.env,
    signal: ctx.signal,
  });
  const logger = ctx.logger.child({ cluster: options.cluster });
  try {
    if (options.installCrds) await installKubeBindCrds(cluster, logger, ctx.signal);
    const running = start(cluster, logger);
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      else ctx.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    logger.info("stopping: finishing in-flight work");
    await running.stop();
    logger.info(`${what} stopped`);
    return ExitCode.ok;
  } finally {
    cluster.client.close();
  }
}
