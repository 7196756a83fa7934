import type { Logger } from "pino";
import { sleep, systemClock, type Clock } from "./clock.js";
import type { KubeClient, KubeObject } from "./kube-client.js";
import { isKubeError } from "./kube-error.js";
import { getOrUndefined } from "./not-found.js";

/** Who holds Leases and how: shared by leader election and shard Leases. */
export interface LeaseHolderOptions {
  /** Who this process is in the Lease (`holderIdentity`): unique per replica, e.g. the pod name. */
  identity: string;
  /** How long a Lease is valid without renewal. Default 15 s, as client-go. */
  leaseDurationMs?: number;
  /**
   * A Lease not renewed within this long is given up here: a leader stops leading, a shard stops
   * being worked. Default 10 s.
   */
  renewDeadlineMs?: number;
  /** Between attempts to acquire or renew. Default 2 s. */
  retryPeriodMs?: number;
  logger: Logger;
  /** Wall-clock time for the Lease's timestamps. */
  now?: () => Date;
  clock?: Clock;
}

export interface LeaderElectionOptions extends LeaseHolderOptions {
  client: Pick<KubeClient, "get" | "create" | "update">;
  namespace: string;
  /** The Lease's name. */
  name: string;
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
  private readonly observer: LeaseObserver;
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
    this.observer = new LeaseObserver(this.clock, Math.round(this.leaseDurationMs / 1000) * 1000);
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
    let existing: KubeObject | undefined;
    try {
      existing = await getOrUndefined(client, ref, { signal });
    } catch (error) {
      if (signal.aborted) return false;
      this.options.logger.debug({ err: error }, "could not read the lease");
      return false;
    }
    const spec = existing && ((existing.spec ?? {}) as LeaseSpec);
    if (existing && spec) {
      const held = spec.holderIdentity !== undefined && spec.holderIdentity !== "";
      const ours = spec.holderIdentity === identity;
      const expired = this.observer.expired(name, spec);
      if (held && !ours && !expired) return false;
    }
    const next = heldLeaseSpec(spec, identity, this.now(), this.leaseDurationMs);
    try {
      if (existing) await client.update({ ...existing, spec: next }, { signal });
      else await client.create({ ...ref, metadata: { name, namespace }, spec: next }, { signal });
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
    await client.update({ ...existing, spec: releasedLeaseSpec(spec, this.now()) });
    this.options.logger.info({ lease: this.leaseName() }, "lease released");
  }

  private leaseName(): string {
    return `${this.options.namespace}/${this.options.name}`;
  }

  private jittered(): number {
    return this.retryPeriodMs * (1 + Math.random() * 0.2);
  }
}

/**
 * The spec `identity` writes to take or renew a Lease whose spec is `existing` (`undefined`: the
 * Lease does not exist yet): it keeps its acquire time while it holds it, and a change of holder
 * counts as a transition.
 */
export function heldLeaseSpec(
  existing: LeaseSpec | undefined,
  identity: string,
  now: Date,
  leaseDurationMs: number,
): LeaseSpec {
  const time = microTime(now);
  const ours = existing?.holderIdentity === identity;
  const transitions = existing?.leaseTransitions ?? 0;
  return {
    holderIdentity: identity,
    leaseDurationSeconds: Math.round(leaseDurationMs / 1000),
    acquireTime: ours ? (existing.acquireTime ?? time) : time,
    renewTime: time,
    leaseTransitions: existing === undefined || ours ? transitions : transitions + 1,
  };
}

/** The spec that gives a Lease up: no holder, expiring at once, so another takes it without waiting. */
export function releasedLeaseSpec(existing: LeaseSpec, now: Date): LeaseSpec {
  return { ...existing, holderIdentity: "", leaseDurationSeconds: 1, renewTime: microTime(now) };
}

/**
 * Judges Leases expired as client-go does: by how long each has not changed as seen on this
 * process's monotonic clock, never by comparing its timestamps with this machine's time.
 */
export class LeaseObserver {
  /** Per Lease, when it was last seen to change and what it held then. */
  private readonly seen = new Map<string, { at: number; record: string }>();

  constructor(
    private readonly clock: Clock,
    /** For a Lease that does not say its duration. */
    private readonly defaultDurationMs: number,
  ) {}

  /** Whether Lease `name` with `spec` has not changed for its duration times `factor`. */
  expired(name: string, spec: LeaseSpec, factor = 1): boolean {
    const record = JSON.stringify(spec);
    const seen = this.seen.get(name);
    if (seen?.record !== record) {
      this.seen.set(name, { at: this.clock.now(), record });
      return false;
    }
    const duration =
      spec.leaseDurationSeconds === undefined
        ? this.defaultDurationMs
        : spec.leaseDurationSeconds * 1000;
    return this.clock.now() - seen.at > duration * factor;
  }

  forget(name: string): void {
    this.seen.delete(name);
  }
}

/** `metav1.MicroTime`: RFC 3339 with microseconds. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
