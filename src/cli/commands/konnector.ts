import { ExitCode } from "../../core/errors.js";
import { connectCluster } from "../../kube/connect-cluster.js";
import { installKubeBindCrds } from "../../kube/install-kube-bind-crds.js";
import { openProviderKubeconfig } from "../../kube/open-provider-kubeconfig.js";
import { startKonnector } from "../../sync/konnector.js";
import type { CommandContext } from "../io.js";
import { packageVersion } from "../package-version.js";
import type { OptionsOf } from "./command-specs.js";

/**
 * `bindops konnector`: runs the konnector on the consumer cluster until SIGINT or SIGTERM, then
 * finishes in-flight work and exits 0. Exit 4 when the cluster cannot be reached.
 */
export async function konnectorCommand(
  ctx: CommandContext,
  options: OptionsOf<"konnector">,
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
    const konnector = startKonnector({
      consumer: cluster.client,
      connect: (kubeconfig) => openProviderKubeconfig(kubeconfig),
      logger,
      version: `bindops-${packageVersion()}`,
    });
    logger.info(
      `konnector starting on ${cluster.client.server} (Kubernetes ${cluster.version.gitVersion})`,
    );
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      else ctx.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    logger.info("stopping: finishing in-flight work");
    await konnector.stop();
    logger.info("konnector stopped");
    return ExitCode.ok;
  } finally {
    cluster.client.close();
  }
}
