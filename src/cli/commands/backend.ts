import { startBackend } from "../../backend/backend.js";
import type { InformerScope, Isolation } from "../../backend/kube-bind-objects.js";
import { BindopsError, ExitCode } from "../../core/errors.js";
import { connectCluster } from "../../kube/connect-cluster.js";
import { installKubeBindCrds } from "../../kube/install-kube-bind-crds.js";
import type { CommandContext } from "../io.js";

export interface BackendCommandOptions {
  cluster: string;
  kubeconfig?: string;
  kubeconfigDir?: string;
  informerScope: InformerScope;
  isolation: Isolation;
  schemaGrace: number;
  installCrds: boolean;
}

/**
 * `bindops backend`: runs the built-in kube-bind backend on the provider cluster until SIGINT or
 * SIGTERM, then finishes in-flight work and exits 0. Exit 4 when the cluster cannot be reached.
 */
export async function backendCommand(ctx: CommandContext, raw: unknown): Promise<ExitCode> {
  const options = backendOptions(raw);
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
      schemaGraceMs: options.schemaGrace * 1000,
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

function backendOptions(raw: unknown): BackendCommandOptions {
  const o = (raw ?? {}) as Record<string, unknown>;
  const scope = typeof o.informerScope === "string" ? o.informerScope : "Namespaced";
  const isolation = typeof o.isolation === "string" ? o.isolation : "Prefixed";
  const grace = Number(o.schemaGrace ?? 60);
  if (scope !== "Namespaced" && scope !== "Cluster") {
    throw new BindopsError(
      "usage",
      "backend-bad-scope",
      `--informer-scope ${scope}: use Namespaced or Cluster`,
    );
  }
  if (isolation !== "Prefixed" && isolation !== "Namespaced" && isolation !== "None") {
    throw new BindopsError(
      "usage",
      "backend-bad-isolation",
      `--isolation ${isolation}: use Prefixed, Namespaced or None`,
    );
  }
  if (!Number.isFinite(grace) || grace < 0) {
    throw new BindopsError(
      "usage",
      "backend-bad-grace",
      `--schema-grace ${String(o.schemaGrace)}: seconds, 0 or more`,
    );
  }
  return {
    cluster: typeof o.cluster === "string" ? o.cluster : "provider",
    ...(typeof o.kubeconfig === "string" ? { kubeconfig: o.kubeconfig } : {}),
    ...(typeof o.kubeconfigDir === "string" ? { kubeconfigDir: o.kubeconfigDir } : {}),
    informerScope: scope,
    isolation,
    schemaGrace: grace,
    installCrds: o.installCrds !== false,
  };
}
