import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import { startBackend, type RunningBackend } from "../backend/backend.js";
import { rebaseSnapshot, type Snapshot } from "../core/snapshot.js";
import { readFolderSnapshot } from "../git/read-folder-snapshot.js";
import { connectCluster, type ConnectedCluster } from "../kube/connect-cluster.js";
import { installKubeBindCrds } from "../kube/install-kube-bind-crds.js";
import { openProviderKubeconfig } from "../kube/open-provider-kubeconfig.js";
import { startKonnector, type RunningKonnector } from "../sync/konnector.js";
import type { KubeClient } from "../kube/kube-client.js";
import { loadFiles } from "../manifests/load-files.js";
import { repositoryModel } from "../plan/repository-model.js";
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
  requestTimeoutMs: number;
  env: NodeJS.ProcessEnv;
  cwd: string;
  logger: Logger;
  signal: AbortSignal;
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
  },
): Reconciler {
  const timeout = parseSeconds(options.requestTimeout, "--request-timeout");
  return new Reconciler({
    kubeconfig: options.kubeconfig,
    kubeconfigDir: options.kubeconfigDir,
    backend: options.backend,
    konnector: options.konnector ?? false,
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

  constructor(private readonly options: ReconcilerOptions) {}

  /** Validates and reconciles one snapshot whose content is `revision`. */
  async reconcile(snapshot: Snapshot, revision: string): Promise<ReconcileResult> {
    const { logger, signal } = this.options;
    const report = await validate(snapshot, {
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
    const model = repositoryModel(loadFiles(snapshot.files).documents);
    const clients = new Map<string, KubeClient>();
    // A refused revision touches no cluster: its status is written without connecting.
    const refused = report.findings.some((f) => f.severity === "error");
    for (const [name, role] of refused ? [] : model.clusters) {
      clients.set(name, (await this.connect(name, role)).client);
    }
    return reconcileOnce({
      snapshot,
      report,
      revision,
      clients,
      logger: logger.child({ revision: revision.slice(0, 12) }),
      requestTimeoutMs: this.options.requestTimeoutMs,
      signal,
    });
  }

  /** Stops the konnectors and backends and closes the connections. */
  async close(): Promise<void> {
    await Promise.all(this.konnectors.splice(0).map((k) => k.stop()));
    await Promise.all(this.backends.splice(0).map((b) => b.stop()));
    for (const c of this.connected.values()) c.client.close();
    this.connected.clear();
  }

  private async connect(name: string, role: "provider" | "consumer"): Promise<ConnectedCluster> {
    const known = this.connected.get(name);
    if (known) return known;
    const { logger, signal } = this.options;
    const cluster = await connectCluster(name, {
      ...(this.options.kubeconfig ? { kubeconfig: this.options.kubeconfig } : {}),
      ...(this.options.kubeconfigDir
        ? { kubeconfigDir: path.resolve(this.options.cwd, this.options.kubeconfigDir) }
        : {}),
      env: this.options.env,
      cwd: this.options.cwd,
      signal,
    });
    try {
      await installKubeBindCrds(cluster, logger, signal);
      if (this.options.backend === "builtin" && role === "provider") {
        const backend = startBackend({
          client: cluster.client,
          logger: logger.child({ cluster: name, component: "backend" }),
        });
        this.backends.push(backend);
        await backend.ready;
      }
      if (this.options.konnector && role === "consumer") {
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
