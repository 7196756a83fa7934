import { startBackend } from "../../backend/backend.js";
import type { ExitCode } from "../../core/errors.js";
import type { CommandContext } from "../io.js";
import { parseSeconds } from "../parse-seconds.js";
import { runOnCluster } from "../run-on-cluster.js";
import type { OptionsOf } from "./command-specs.js";

/**
 * `bindops backend`: runs the built-in kube-bind backend on the provider cluster until SIGINT or
 * SIGTERM, then finishes in-flight work and exits 0. Exit 4 when the cluster cannot be reached.
 */
export function backendCommand(
  ctx: CommandContext,
  options: OptionsOf<"backend">,
): Promise<ExitCode> {
  const schemaGrace = parseSeconds(options.schemaGrace, "--schema-grace");
  return runOnCluster(ctx, options, "backend", (cluster, logger) => {
    logger.info(
      `backend starting on ${cluster.client.server} (Kubernetes ${cluster.version.gitVersion}; ` +
        `informer scope ${options.informerScope}, isolation ${options.isolation})`,
    );
    return startBackend({
      client: cluster.client,
      logger,
      settings: { informerScope: options.informerScope, isolation: options.isolation },
      schemaGraceMs: schemaGrace * 1000,
    });
  });
}
