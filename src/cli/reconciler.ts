import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import { startBackend, type RunningBackend } from "../backend/backend.js";
import { BindopsError } from "../core/errors.js";
import { rebaseSnapshot, shortRevision, type Snapshot } from "../core/snapshot.js";
import { statusFolder } from "../git/commit-status.js";
import { contentRevision } from "../git/content-revision.js";
import { readFolderSnapshot } from "../git/read-folder-snapshot.js";
import { readRevisionSnapshot } from "../git/read-revision-snapshot.js";
import { connectCluster, type ConnectedCluster } from "../kube/connect-cluster.js";
import { installKubeBindCrds } from "../kube/install-kube-bind-crds.js";
import { openProviderKubeconfig } from "../kube/open-provider-kubeconfig.js";
import { startKonnector, type RunningKonnector } from "../sync/konnector.js";
import type { KubeClient } from "../kube/kube-client.js";
import { loadFiles } from "../manifests/load-files.js";
import { repositoryModel } from "../plan/repository-model.js";
import type { ValidateReport } from "../report/validate-report.js";
import { reconcileOnce, type ReconcileResult } from "../server/reconcile-once.js";
import { validate } from "../validate/validate.js";
import { packageVersion } from "./package-version.js";
import { parseSeconds } from "./parse-seconds.js";

const defaultPolicyDir = fileURLToPath(new URL("../../policies", import.meta.url));

export interface ReconcilerOptions {
  kubeconfig?: string | undefined;
  kubeconfigDir?: string | undefined;
  backend: "builtin" | "external";
  /** Run the konnector on each consumer cluster, in-process (`bindops run`). */
  konnector?: boolean;
  /**
   * Start the in-process backend and konnector at all. Default true; with `--shards`, only the
   * replica holding shard 1 runs them, so that each cluster has one of each.
   */
  controllers?: boolean;
  requestTimeoutMs: number;
  /** See `ReconcileOptions.takeoverAfterMs`. */
  takeoverAfterMs?: number;
  env: NodeJS.ProcessEnv;
  cwd: string;
  logger: Logger;
  signal: AbortSignal;
}

/** Where a command finds the clusters' credentials (`--kubeconfig`, `--kubeconfig-dir`). */
export interface ClusterCredentialOptions {
  kubeconfig?: string | undefined;
  kubeconfigDir?: string | undefined;
  env: NodeJS.ProcessEnv;
  cwd: string;
  signal: AbortSignal;
}

/** Connects a cluster of the repository by name, as `reconcile`, `run` and `plan` find it. */
export function connectNamedCluster(
  name: string,
  options: ClusterCredentialOptions,
): Promise<ConnectedCluster> {
  return connectCluster(name, {
    ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
    ...(options.kubeconfigDir
      ? { kubeconfigDir: path.resolve(options.cwd, options.kubeconfigDir) }
      : {}),
    env: options.env,
    cwd: options.cwd,
    signal: options.signal,
  });
}

/**
 * Whether a failure to connect a cluster leaves the others to go on: it did not answer or refused
 * (exit 4). A missing or broken kubeconfig is a usage error that stops the command.
 */
export function isClusterUnreachable(error: unknown): error is BindopsError {
  return error instanceof BindopsError && error.kind === "unreachable";
}

/**
 * A revision of a local git repository, read from git without a checkout, and its content
 * revision (the last commit that changed more than `status/`): what `reconcile` and `plan` work on.
 */
export async function readRepositoryRevision(
  repo: string,
  rev: string,
  signal: AbortSignal,
): Promise<{ snapshot: Snapshot; revision: string }> {
  if (!existsSync(path.join(repo, ".git")) && !existsSync(path.join(repo, "HEAD"))) {
    throw new BindopsError("usage", "repo-not-git", `${repo} is not a git repository`);
  }
  const revision = await contentRevision(repo, rev, statusFolder, { signal });
  // The tip: the content of `revision`, and the status files the last reconcile wrote.
  const snapshot = await readRevisionSnapshot(repo, rev, { signal });
  return { snapshot, revision };
}

/** Validates a revision as reconciling it does: the repository's policies, then bindops's defaults. */
export async function validateRevision(
  snapshot: Snapshot,
  signal: AbortSignal,
): Promise<ValidateReport> {
  return validate(snapshot, {
    ...(existsSync(defaultPolicyDir)
      ? {
          defaultPolicies: rebaseSnapshot(
            readFolderSnapshot(defaultPolicyDir, { signal }),
            "bindops-default-policies",
          ),
        }
      : {}),
    toolVersion: packageVersion(),
    signal,
  });
}

/** The Reconciler a command's options ask for (`reconcile`, `run`). */
export function reconcilerFor(
  ctx: { env: NodeJS.ProcessEnv; cwd: string; logger: Logger; signal: AbortSignal },
  options: {
    kubeconfig?: string | undefined;
    kubeconfigDir?: string | undefined;
    backend: "builtin" | "external";
    requestTimeout: string;
    konnector?: boolean;
    controllers?: boolean;
  },
): Reconciler {
  const timeout = parseSeconds(options.requestTimeout, "--request-timeout");
  return new Reconciler({
    kubeconfig: options.kubeconfig,
    kubeconfigDir: options.kubeconfigDir,
    backend: options.backend,
    konnector: options.konnector ?? false,
    controllers: options.controllers ?? true,
    requestTimeoutMs: timeout * 1000,
    env: ctx.env,
    cwd: ctx.cwd,
    logger: ctx.logger,
    signal: ctx.signal,
  });
}

/**
 * The clusters a repository names, connected once and kept for every reconcile of a loop, with
 * kube-bind's CRDs installed and, with `--backend builtin`, the backend running on each provider
 * (and, for `bindops run`, the konnector on each consumer).
 */
export class Reconciler {
  private readonly connected = new Map<string, ConnectedCluster>();
  private readonly backends: RunningBackend[] = [];
  private readonly konnectors: RunningKonnector[] = [];
  /** Set by {@link stopControllers}: no backend or konnector is started again. */
  private controllersStopped = false;

  constructor(private readonly options: ReconcilerOptions) {}

  /**
   * Validates and reconciles one snapshot whose content is `revision`. A cluster that cannot be
   * reached holds back its bindings only (`unreachable` in the result); the next call tries it
   * again.
   */
  async reconcile(
    snapshot: Snapshot,
    revision: string,
    shard?: { index: number; count: number },
    /** Stops this reconcile alone (its shard moved); the options' signal stops everything. */
    stop?: AbortSignal,
  ): Promise<ReconcileResult> {
    const { logger } = this.options;
    const signal = stop ? AbortSignal.any([this.options.signal, stop]) : this.options.signal;
    const report = await validateRevision(snapshot, signal);
    const model = repositoryModel(loadFiles(snapshot.files).documents);
    const clients = new Map<string, KubeClient>();
    const unreachable = new Map<string, string>();
    // A refused revision touches no cluster: its status is written without connecting.
    const refused = report.findings.some((f) => f.severity === "error");
    for (const [name, role] of refused ? [] : model.clusters) {
      try {
        clients.set(name, (await this.connect(name, role)).client);
      } catch (error) {
        if (signal.aborted || !isClusterUnreachable(error)) throw error;
        logger.error(
          { err: error, cluster: name },
          `cluster ${name} cannot be reached: ${error.message}`,
        );
        unreachable.set(name, error.message);
      }
    }
    return reconcileOnce({
      snapshot,
      report,
      revision,
      clients,
      unreachable,
      logger: logger.child({ revision: shortRevision(revision) }),
      requestTimeoutMs: this.options.requestTimeoutMs,
      ...(this.options.takeoverAfterMs === undefined
        ? {}
        : { takeoverAfterMs: this.options.takeoverAfterMs }),
      onboarding: this.options.backend === "external" ? "request" : "direct",
      ...(shard ? { shard } : {}),
      signal,
    });
  }

  /**
   * Stops the konnectors and backends at once and starts none again, keeping the connections for
   * the reconciles still running (with `--shards`, when shard 1 moves away mid-pass).
   */
  async stopControllers(): Promise<void> {
    this.controllersStopped = true;
    await this.stopRunning();
  }

  /** Stops the konnectors and backends and closes the connections. */
  async close(): Promise<void> {
    await this.stopRunning();
    for (const c of this.connected.values()) c.client.close();
    this.connected.clear();
  }

  /** Stops the konnectors, then the backends, that run now. */
  private async stopRunning(): Promise<void> {
    await Promise.all(this.konnectors.splice(0).map((k) => k.stop()));
    await Promise.all(this.backends.splice(0).map((b) => b.stop()));
  }

  private async connect(name: string, role: "provider" | "consumer"): Promise<ConnectedCluster> {
    const known = this.connected.get(name);
    if (known) return known;
    const { logger, signal } = this.options;
    const cluster = await connectNamedCluster(name, this.options);
    try {
      await installKubeBindCrds(cluster, logger, signal);
      // Asked at each start: the controllers may be stopped while this connects.
      const controllers = () => (this.options.controllers ?? true) && !this.controllersStopped;
      if (controllers() && this.options.backend === "builtin" && role === "provider") {
        const backend = startBackend({
          client: cluster.client,
          logger: logger.child({ cluster: name, component: "backend" }),
        });
        this.backends.push(backend);
        await backend.ready;
      }
      if (controllers() && this.options.konnector && role === "consumer") {
        const konnector = startKonnector({
          consumer: cluster.client,
          connect: (kubeconfig) => openProviderKubeconfig(kubeconfig),
          logger: logger.child({ cluster: name, component: "konnector" }),
          version: `bindops-${packageVersion()}`,
        });
        this.konnectors.push(konnector);
        await konnector.ready;
      }
    } catch (error) {
      // Not remembered: the next reconcile connects, installs and starts again.
      cluster.client.close();
      throw error;
    }
    this.connected.set(name, cluster);
    return cluster;
  }
}
