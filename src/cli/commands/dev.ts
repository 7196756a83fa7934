import path from "node:path";
import { BindopsError, ExitCode } from "../../core/errors.js";
import { controlPlaneServers, serverForVersion } from "../../dev/control-plane-servers.js";
import { devDown } from "../../dev/dev-down.js";
import { defaultCacheDir } from "../../dev/dev-paths.js";
import { devStatus } from "../../dev/dev-status.js";
import { devUp } from "../../dev/dev-up.js";
import { credentialEnvVar } from "../../kube/resolve-cluster-credentials.js";
import { connectDevCluster, installKubeBindCrds } from "../install-kube-bind-crds.js";
import { writeLine, type CommandContext } from "../io.js";
import type { OptionsOf } from "./command-specs.js";

/**
 * `bindops dev up`: starts or reuses the local clusters. Prints lines a shell can evaluate
 * (`eval "$(bindops dev up)"`): the clusters as comments, then one `export
 * BINDOPS_KUBECONFIG_<NAME>=...` per cluster. Exit 4 when something cannot be built or started.
 */
export async function devUpCommand(
  ctx: CommandContext,
  options: OptionsOf<"devUp">,
): Promise<ExitCode> {
  const stateDir = path.resolve(ctx.cwd, options.stateDir);
  const clusters = options.clusters
    .split(",")
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
  const server = serverForVersion(options.kubernetesVersion);
  if (server === undefined) {
    throw new BindopsError(
      "usage",
      "dev-unknown-version",
      `no local control plane of Kubernetes ${options.kubernetesVersion}`,
      {
        hint: `use ${controlPlaneServers.current.version} (current, the default) or ${controlPlaneServers.old.version} (old)`,
      },
    );
  }
  const started = Date.now();
  const result = await devUp({
    stateDir,
    clusters,
    server,
    cacheDir: defaultCacheDir(ctx.env, ctx.cwd),
    env: ctx.env,
    logger: ctx.logger,
    signal: ctx.signal,
  });
  for (const cluster of result.clusters) {
    const connected = await connectDevCluster(cluster, ctx.env, ctx.signal);
    try {
      const count = await installKubeBindCrds(connected, ctx.logger, ctx.signal);
      ctx.logger.debug(`${cluster.name}: ${count} kube-bind CRDs installed`);
    } finally {
      connected.client.close();
    }
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  ctx.logger.info(
    result.started.length === 0
      ? "the local control plane was already running"
      : `local control plane (Kubernetes ${result.version}) up in ${seconds} s ` +
          `(started ${result.started.join(", ")})`,
  );
  const width = Math.max(...result.clusters.map((c) => c.name.length));
  for (const c of result.clusters) {
    writeLine(ctx.stdout, `# ${c.name.padEnd(width)}  ${c.server}  ${c.kubeconfigPath}`);
  }
  writeLine(ctx.stdout, `# or pass --kubeconfig-dir ${shellQuote(stateDir)}`);
  for (const c of result.clusters) {
    writeLine(ctx.stdout, `export ${credentialEnvVar(c.name)}=${shellQuote(c.kubeconfigPath)}`);
  }
  return ExitCode.ok;
}

/** `bindops dev down [--purge]`: stops exactly the processes `dev up` recorded. */
export async function devDownCommand(
  ctx: CommandContext,
  options: OptionsOf<"devDown">,
): Promise<ExitCode> {
  const stateDir = path.resolve(ctx.cwd, options.stateDir);
  const result = await devDown({ stateDir, purge: options.purge, logger: ctx.logger });
  if (!result.found) {
    writeLine(ctx.stdout, `no local control plane in ${stateDir}; nothing to stop`);
    return ExitCode.ok;
  }
  const stopped = result.stopped.filter((s) => s.outcome !== "not-running").length;
  writeLine(
    ctx.stdout,
    `stopped ${stopped} process${stopped === 1 ? "" : "es"}` +
      (result.purged ? ` and deleted the state in ${stateDir}` : ""),
  );
  return ExitCode.ok;
}

/**
 * `bindops dev status`: each recorded process, running or stopped, and the kubeconfigs. Exit 0
 * when everything runs, 4 when something is stopped or nothing was ever started, so scripts can
 * run `bindops dev status || bindops dev up`.
 */
export async function devStatusCommand(
  ctx: CommandContext,
  options: OptionsOf<"devStatus">,
): Promise<ExitCode> {
  const stateDir = path.resolve(ctx.cwd, options.stateDir);
  const status = await devStatus({ stateDir });
  if (!status.exists) {
    writeLine(
      ctx.stdout,
      `no local control plane in ${stateDir} (start one with \`bindops dev up\`)`,
    );
    return ExitCode.unreachable;
  }
  writeLine(ctx.stdout, `Kubernetes ${status.kubernetesVersion ?? "unknown"}`);
  const width = Math.max(...status.processes.map((p) => p.name.length));
  for (const p of status.processes) {
    const detail = p.running
      ? `running  pid ${p.pid}` +
        (p.rssBytes === undefined ? "" : `  ${Math.round(p.rssBytes / 2 ** 20)} MiB`)
      : "stopped";
    writeLine(ctx.stdout, `${p.name.padEnd(width)}  ${detail}`);
  }
  for (const c of status.clusters) {
    writeLine(
      ctx.stdout,
      `${c.name} kubeconfig: ${c.kubeconfigPath}${c.kubeconfigExists ? "" : " (missing)"}`,
    );
  }
  return status.allRunning ? ExitCode.ok : ExitCode.unreachable;
}

function shellQuote(value: string): string {
  return /^[\w./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
