import type { ExitCode } from "../../core/errors.js";
import { openProviderKubeconfig } from "../../kube/open-provider-kubeconfig.js";
import { startKonnector } from "../../sync/konnector.js";
import type { CommandContext } from "../io.js";
import { packageVersion } from "../package-version.js";
import { runOnCluster } from "../run-on-cluster.js";
import type { OptionsOf } from "./command-specs.js";

/**
 * `bindops konnector`: runs the konnector on the consumer cluster until SIGINT or SIGTERM, then
 * finishes in-flight work and exits 0. Exit 4 when the cluster cannot be reached.
 */
export function konnectorCommand(
  ctx: CommandContext,
  options: OptionsOf<"konnector">,
): Promise<ExitCode> {
  return runOnCluster(ctx, options, "konnector", (cluster, logger) => {
    logger.info(
      `konnector starting on ${cluster.client.server} (Kubernetes ${cluster.version.gitVersion})`,
    );
    return startKonnector({
      consumer: cluster.client,
      connect: (kubeconfig) => openProviderKubeconfig(kubeconfig),
      logger,
      version: `bindops-${packageVersion()}`,
    });
  });
}
