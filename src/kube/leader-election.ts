import type { Logger } from "pino";
import { sleep, systemClock, type Clock } from "./clock.js";
import type { KubeClient, KubeObject } from "./kube-client.js";
import { isKubeError } from "./kube-error.js";
import { getOrUndefined } from "./not-found.js";

export interface LeaderElectionOptions {
  client: Pick<KubeClient, "get" | "create" | "update">;
  namespace: string;
  /** The Lease's name. */
  name: string;
  /** Who this process is in the Lease (`holderIdentity`): unique per replica, e.g. the pod name. */
  identity: string;
  /** How long a lease is valid without renewal. Default 15 s, as client-go. */
  leaseDurationMs?: number;
  /** A leader that has not renewed within this long stops leading. Default 10 s. */
  renewDeadlineMs?: number;
  /** Between attempts to acquire or renew. Default 2 s. */
  retryPeriodMs?: number;
  logger: Logger;
  /** Wall-clock time for the Lease's timestamps. */
  now?: () => Date;
  clock?: Clock;
}

/** The spec of a `coordination.k8s.io/v1` Lease. */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/**
 * Leader election on a `coordination.k8s.io/v1` Lease, as client-go's leaderelection: a candidate
 * takes the Lease when it is free or its holder has not renewed within the lease duration, the
 * leader renews it every retry period, and a leader that could not renew within the renew
 * deadline stops leading — before its lease can expire, so that no two leaders work at once.
 * Every write carries the Lease's resourceVersion, so two candidates never both win.
 */
export class LeaderElector {
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly now: () => Date;
  private readonly clock: Clock;
  /** When the Lease was last seen to change, on our monotonic clock, and what it held then. */
  private observed: { at: number; record: string } | undefined;
  private leading = false;

  constructor(private readonly options: LeaderElectionOptions) {
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (this.renewDeadlineMs >= this.leaseDurationMs) {
      throw new Error("the renew deadline must be shorter than the lease duration");
    }
    this.now = options.now ?? (() => new Date());
    this.clock = options.clock ?? systemClock;
  }

  /** Whether this process holds the Lease now. */
  isLeader(): boolean {
    return this.leading;
  }

  /**
   * Campaigns until this process leads, then runs `work` with a signal that aborts when
   * leadership is lost (the renew deadline passed) or `signal` aborts. Resolves with `"lost"` or
   * `"stopped"`; on a stop the Lease is released so that a standby takes over at once.
   */
  async run(
    work: (signal: AbortSignal) => Promise<void>,
    signal: AbortSignal,
  ): Promise<"lost" | "stopped"> {
    const log = this.options.logger;
    while (!(await this.tryAcquireOrRenew(signal))) {
      await sleep(this.clock, this.jittered(), signal).catch(() => undefined);
      if (signal.aborted) return "stopped";
    }
    this.leading = true;
    log.info({ lease: this.leaseName() }, "became leader");
    const leadership = new AbortController();
    const stop = (): void => leadership.abort(new Error("stopped"));
    signal.addEventListener("abort", stop, { once: true });
    const renewing = this.renewLoop(leadership);
    const working = work(leadership.signal).catch((error: unknown) => {
      log.error({ err: error }, "leader work failed");
    });
    await Promise.race([renewing, working]);
    const lost = !signal.aborted && leadership.signal.aborted;
    leadership.abort(new Error(lost ? "leadership lost" : "stopped"));
    signal.removeEventListener("abort", stop);
    await Promise.all([renewing, working]);
    this.leading = false;
    if (lost) {
      log.error({ lease: this.leaseName() }, "leadership lost: stopped working");
      return "lost";
    }
    await this.release().catch((error: unknown) =>
      log.warn({ err: error }, "could not release the lease"),
    );
    return "stopped";
  }

  private async renewLoop(leadership: AbortController): Promise<void> {
    let lastRenew = this.clock.now();
    while (!leadership.signal.aborted) {
      await sleep(this.clock, this.retryPeriodMs, leadership.signal).catch(() => undefined);
      if (leadership.signal.aborted) return;
      let renewed = false;
      try {
        renewed = await this.tryAcquireOrRenew(leadership.signal);
      } catch (error) {
        this.options.logger.warn({ err: error }, "could not renew the lease");
      }
      if (renewed) lastRenew = this.clock.now();
      else if (this.clock.now() - lastRenew >= this.renewDeadlineMs) {
        leadership.abort(new Error("leadership lost"));
        return;
      }
    }
  }

  /** One attempt, as client-go's `tryAcquireOrRenew`: true when this process holds the Lease. */
  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const { client, namespace, name, identity } = this.options;
    const ref = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace, name };
    const now = microTime(this.now());
    const durationSeconds = Math.round(this.leaseDurationMs / 1000);
    let existing: KubeObject | undefined;
    try {
      existing = await getOrUndefined(client, ref, { signal });
    } catch (error) {
      if (signal.aborted) return false;
      this.options.logger.debug({ err: error }, "could not read the lease");
      return false;
    }
    if (existing === undefined) {
      try {
        await client.create(
          {
            ...ref,
            metadata: { name, namespace },
            spec: {
              holderIdentity: identity,
              leaseDurationSeconds: durationSeconds,
              acquireTime: now,
              renewTime: now,
              leaseTransitions: 0,
            },
          },
          { signal },
        );
        return true;
      } catch (error) {
        if (isKubeError(error, "Conflict") || signal.aborted) return false;
        throw error;
      }
    }
    const spec = (existing.spec ?? {}) as LeaseSpec;
    const record = JSON.stringify(spec);
    if (this.observed?.record !== record) this.observed = { at: this.clock.now(), record };
    const held = spec.holderIdentity !== undefined && spec.holderIdentity !== "";
    const ours = spec.holderIdentity === identity;
    const expired =
      this.clock.now() - this.observed.at > (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
    if (held && !ours && !expired) return false;
    const next: LeaseSpec = {
      holderIdentity: identity,
      leaseDurationSeconds: durationSeconds,
      acquireTime: ours ? (spec.acquireTime ?? now) : now,
      renewTime: now,
      leaseTransitions: ours ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
    };
    try {
      await client.update({ ...existing, spec: next }, { signal });
      return true;
    } catch (error) {
      if (isKubeError(error, "Conflict") || signal.aborted) return false;
      throw error;
    }
  }

  /** Gives the Lease up (holder cleared), so a standby need not wait for it to expire. */
  private async release(): Promise<void> {
    const { client, namespace, name, identity } = this.options;
    const ref = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace, name };
    const existing = await getOrUndefined(client, ref);
    const spec = (existing?.spec ?? {}) as LeaseSpec;
    if (existing === undefined || spec.holderIdentity !== identity) return;
    await client.update({
      ...existing,
      spec: {
        ...spec,
        holderIdentity: "",
        leaseDurationSeconds: 1,
        renewTime: microTime(this.now()),
      },
    });
    this.options.logger.info({ lease: this.leaseName() }, "lease released");
  }

  private leaseName(): string {
    return `${this.options.namespace}/${this.options.name}`;
  }

  private jittered(): number {
    return this.retryPeriodMs * (1 + Math.random() * 0.2);
  }
}

/** `metav1.MicroTime`: RFC 3339 with microseconds. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
