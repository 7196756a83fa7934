import { startBackend } from "../../backend/backend.js";
import { ExitCode } from "../../core/errors.js";
import { connectCluster } from "../../kube/connect-cluster.js";
import { installKubeBindCrds } from "../../kube/install-kube-bind-crds.js";
import type { CommandContext } from "../io.js";
import { parseSeconds } from "../parse-seconds.js";
import type { OptionsOf } from "./command-specs.js";

/**
 * `bindops backend`: runs the built-in kube-bind backend on the provider cluster until SIGINT or
 * SIGTERM, then finishes in-flight work and exits 0. Exit 4 when the cluster cannot be reached.
 */
export async function backendCommand(
  ctx: CommandContext,
  options: OptionsOf<"backend">,
): Promise<ExitCode> {
  const schemaGrace = parseSeconds(options.schemaGrace, "--schema-grace");
  const cluster = await connectCluster(options.cluster, {
    ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
    ...(options.kubeconfigDir ? { kubeconfigDir: options.kubeconfigDir } : {}),
    env: ctx.env,
    signal: ctx.signal,
  });
  const logger = ctx.logger.child({ cluster: options.cluster });
  try {
    if (options.installCrds) await installKubeBindCrds(cluster, logger, ctx.signal);
    const backend = startBackend({
      client: cluster.client,
      logger,
      settings: { informerScope: options.informerScope, isolation: options.isolation },
      schemaGraceMs: schemaGrace * 1000,
    });
    logger.info(
      `backend starting on ${cluster.client.server} (Kubernetes ${cluster.version.gitVersion}; ` +
        `informer scope ${options.informerScope}, isolation ${options.isolation})`,
    );
    await Promise.race([
      backend.ready,
      new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve())),
    ]);
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      else ctx.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    logger.info("stopping: finishing in-flight work");
    await backend.stop();
    logger.info("backend stopped");
    return ExitCode.ok;
  } finally {
    cluster.client.close();
  }
}
