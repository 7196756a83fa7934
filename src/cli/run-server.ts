import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { BindopsError, ExitCode } from "../core/errors.js";
import { connectCluster, type ConnectedCluster } from "../kube/connect-cluster.js";
import { LeaderElector } from "../kube/leader-election.js";
import { ShardLeases } from "../kube/shard-leases.js";
import { resolveInClusterCredentials } from "../kube/resolve-cluster-credentials.js";
import { startEndpoints, type RunningEndpoints } from "../server/http-endpoints.js";
import { BindopsMetrics } from "../server/metrics.js";
import type { ReconcileResult } from "../server/reconcile-once.js";
import type { CommandContext } from "./io.js";
import { parseSeconds } from "./parse-seconds.js";
import type { OptionsOf } from "./commands/command-specs.js";

/**
 * What `bindops run` serves besides its loop: `/healthz`, `/readyz` and `/metrics`, the GitHub
 * webhook (with a secret), and the hooks the loop calls as it goes.
 */
export class RunServer {
  readonly metrics = new BindopsMetrics();
  private endpoints: RunningEndpoints | undefined;
  private applied = false;
  /** A replica waiting for work (a standby, or a shard replica holding none) is ready too. */
  private standby = false;
  private wake: (() => void) | undefined;
  private pushed = false;

  /** Starts the endpoints the options ask for; the first log line says where they listen. */
  async start(ctx: CommandContext, options: OptionsOf<"run">): Promise<void> {
    const secret = webhookSecret(ctx, options);
    this.endpoints = await startEndpoints({
      healthAddr: options.healthAddr,
      metricsAddr: options.metricsAddr,
      ...(secret === undefined ? {} : { webhookAddr: options.webhookAddr }),
      live: () => true,
      ready: () => this.applied || this.standby,
      metrics: this.metrics,
      ...(secret === undefined
        ? {}
        : {
            webhook: {
              secret,
              branch: options.branch,
              onPush: () => {
                this.pushed = true;
                this.wake?.();
              },
            },
          }),
      logger: ctx.logger,
    }).catch((error: unknown) => {
      throw new BindopsError(
        "usage",
        "listen-failed",
        `cannot serve the endpoints: ${(error as Error).message}`,
        { hint: "choose other addresses with --health-addr, --metrics-addr, --webhook-addr" },
      );
    });
    const { health, metrics, webhook } = this.endpoints.addresses;
    ctx.logger.info(
      { health, metrics, webhook },
      `serving /healthz and /readyz on ${health}, /metrics on ${metrics}` +
        (webhook ? `, /webhook/github on ${webhook}` : " (no webhook: no secret)"),
    );
  }

  /** Records a finished pass: the revision, its bindings, and that the process is ready. */
  recordPass(revision: string, result: ReconcileResult, seconds: number): void {
    this.applied ||= result.applied;
    if (result.applied) this.metrics.recordRevision(revision);
    this.metrics.recordReconcile(
      result.failed.length > 0 || result.unreachable.size > 0 ? "error" : "success",
      seconds,
    );
  }

  recordFailure(seconds: number): void {
    this.metrics.recordReconcile("error", seconds);
  }

  /** Whether this replica waits for work (ready without having applied anything). */
  setStandby(standby: boolean): void {
    this.standby = standby;
  }

  /** Ends the current wait at once (the shards held changed). */
  wakeNow(): void {
    this.pushed = true;
    this.wake?.();
  }

  /** Waits `ms`, or less when a webhook push arrives or `signal` aborts. */
  async pause(ms: number, signal: AbortSignal): Promise<void> {
    if (this.pushed) {
      this.pushed = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
      signal.addEventListener("abort", done, { once: true });
    });
    this.pushed = false;
  }

  async close(): Promise<void> {
    await this.endpoints?.close();
  }
}

/** The webhook secret, from `--webhook-secret-file` or `BINDOPS_WEBHOOK_SECRET`; never logged. */
function webhookSecret(ctx: CommandContext, options: OptionsOf<"run">): string | undefined {
  if (options.webhookSecretFile) {
    try {
      return readFileSync(options.webhookSecretFile, "utf8").trim() || undefined;
    } catch (error) {
      throw new BindopsError(
        "usage",
        "webhook-secret",
        `cannot read the webhook secret file ${options.webhookSecretFile}`,
        { cause: error },
      );
    }
  }
  return ctx.env.BINDOPS_WEBHOOK_SECRET?.trim() || undefined;
}

/**
 * Runs `work` only while this process holds the leader-election Lease (`--leader-elect`): a
 * standby waits; a leader that cannot renew stops its work before the Lease expires and the
 * process exits 4 so that it is restarted; SIGTERM finishes the work and releases the Lease.
 */
export async function runAsLeader(
  ctx: CommandContext,
  options: OptionsOf<"run">,
  work: (signal: AbortSignal) => Promise<ExitCode>,
  onLeading: (leading: boolean) => void = () => undefined,
): Promise<ExitCode> {
  const cluster = await leaseCluster(ctx, options);
  const identity = replicaIdentity(ctx);
  const elector = new LeaderElector({
    client: cluster.client,
    namespace: options.leaderElectionNamespace,
    name: options.leaderElectionId,
    identity,
    ...leaseTimings(options),
    logger: ctx.logger.child({ identity }),
  });
  ctx.logger.info(
    `waiting to lead: Lease ${options.leaderElectionNamespace}/${options.leaderElectionId} on ${cluster.client.server} as ${identity}`,
  );
  let code: ExitCode = ExitCode.ok;
  try {
    onLeading(false);
    const outcome = await elector.run(async (signal) => {
      onLeading(true);
      code = await work(signal);
    }, ctx.signal);
    return outcome === "lost" ? ExitCode.unreachable : code;
  } finally {
    cluster.client.close();
  }
}

/** `--lease-duration`, `--renew-deadline` and `--retry-period`, in milliseconds. */
function leaseTimings(options: OptionsOf<"run">) {
  return {
    leaseDurationMs: parseSeconds(options.leaseDuration, "--lease-duration") * 1000,
    renewDeadlineMs: parseSeconds(options.renewDeadline, "--renew-deadline") * 1000,
    retryPeriodMs: parseSeconds(options.retryPeriod, "--retry-period") * 1000,
  };
}

/** Who this replica is in Leases: the pod's name, else host, process and a random suffix. */
export function replicaIdentity(ctx: CommandContext): string {
  return ctx.env.POD_NAME || `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
}

/**
 * Runs `work` with this replica's share of `count` shards (`--shards`): one Lease per shard in
 * the leader-election namespace, named after `--leader-election-id`. `work` reads the shards it
 * holds from the {@link ShardLeases} it is given; `onChange` is called when they change. When
 * `work` returns, every shard is given back so the other replicas take over at once.
 */
export async function runSharded(
  ctx: CommandContext,
  options: OptionsOf<"run">,
  count: number,
  onChange: (owned: number[]) => void,
  work: (shards: ShardLeases) => Promise<ExitCode>,
): Promise<ExitCode> {
  const cluster = await leaseCluster(ctx, options);
  const identity = replicaIdentity(ctx);
  const leases = new ShardLeases({
    client: cluster.client,
    namespace: options.leaderElectionNamespace,
    id: options.leaderElectionId,
    shards: count,
    identity,
    ...leaseTimings(options),
    logger: ctx.logger.child({ identity }),
  });
  ctx.logger.info(
    `sharing ${count} shards: Leases ${options.leaderElectionNamespace}/${options.leaderElectionId}-shard-* on ${cluster.client.server} as ${identity}`,
  );
  const stop = new AbortController();
  const leasing = leases.run(stop.signal, onChange);
  try {
    return await work(leases);
  } finally {
    stop.abort();
    await leasing;
    cluster.client.close();
  }
}

async function leaseCluster(
  ctx: CommandContext,
  options: OptionsOf<"run">,
): Promise<ConnectedCluster> {
  const name = options.leaderElectionCluster;
  if (name) {
    return connectCluster(name, {
      ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
      ...(options.kubeconfigDir ? { kubeconfigDir: options.kubeconfigDir } : {}),
      env: ctx.env,
      cwd: ctx.cwd,
      signal: ctx.signal,
    });
  }
  if (!ctx.env.KUBERNETES_SERVICE_HOST) {
    throw new BindopsError(
      "usage",
      "leader-election-cluster",
      "--leader-elect and --shards outside a pod need --leader-election-cluster (the cluster that holds the Leases)",
    );
  }
  return connectCluster("in-cluster", {
    source: resolveInClusterCredentials("in-cluster", { env: ctx.env }),
    env: ctx.env,
    signal: ctx.signal,
  });
}
