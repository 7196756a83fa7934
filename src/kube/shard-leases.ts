import { createHash } from "node:crypto";
import { sleep, systemClock, type Clock } from "./clock.js";
import type { KubeClient, KubeObject } from "./kube-client.js";
import { isKubeError } from "./kube-error.js";
import {
  heldLeaseSpec,
  LeaseObserver,
  microTime,
  releasedLeaseSpec,
  type LeaseHolderOptions,
  type LeaseSpec,
} from "./leader-election.js";
import { getOrUndefined } from "./not-found.js";

export interface ShardLeaseOptions extends LeaseHolderOptions {
  client: Pick<KubeClient, "get" | "create" | "update" | "list" | "delete">;
  namespace: string;
  /** The group's name: its Leases are `<id>-shard-<i>` and `<id>-member-<hash>`. */
  id: string;
  /** How many shards the work is split into. */
  shards: number;
}

const groupLabel = "bindops.dev/shard-group";
const roleLabel = "bindops.dev/shard-lease";

/**
 * Splits work into a fixed number of shards among the replicas that are alive, as Argo CD shards
 * its application controller, with one `coordination.k8s.io/v1` Lease per shard. Each replica
 * also renews a member Lease, so every replica counts the live ones and aims at its fair share,
 * `ceil(shards / replicas)`: it takes a free or expired shard while below it (one per round) and
 * gives one back while above it, so a dead replica's shards are taken over once its Leases expire
 * and a new replica gets shards from the others. Expiry is judged as client-go judges it: by how
 * long a Lease has not changed on this replica's own clock, never by comparing clocks. A shard
 * this replica could not renew within the renew deadline is dropped here before its Lease can
 * expire, so no two replicas work a shard at once; every write carries the Lease's
 * resourceVersion, so two replicas never both take one.
 */
export class ShardLeases {
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly now: () => Date;
  private readonly clock: Clock;
  /** Shards held here, with when each was taken (monotonic). */
  private readonly held = new Map<number, number>();
  /** Shards given back whose Lease is kept until their work here has stopped. */
  private readonly releasing = new Set<number>();
  /** When each shard's Lease (held or being given back) was last renewed (monotonic). */
  private readonly renewed = new Map<number, number>();
  /** Per held shard, the signal its work runs with: aborted when the shard goes. */
  private readonly signals = new Map<number, AbortController>();
  /** How many pieces of work run on each shard now. */
  private readonly busy = new Map<number, number>();
  private readonly observer: LeaseObserver;
  private readonly memberName: string;

  constructor(private readonly options: ShardLeaseOptions) {
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (this.renewDeadlineMs >= this.leaseDurationMs) {
      throw new Error("the renew deadline must be shorter than the lease duration");
    }
    this.now = options.now ?? (() => new Date());
    this.clock = options.clock ?? systemClock;
    this.observer = new LeaseObserver(this.clock, this.leaseDurationMs);
    const digest = createHash("sha256").update(options.identity).digest("hex").slice(0, 12);
    this.memberName = `${options.id}-member-${digest}`;
  }

  /** How many shards the work is split into. */
  get shardCount(): number {
    return this.options.shards;
  }

  /** The shards this replica holds now, in order (not those it is giving back). */
  owned(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  /**
   * Runs `work` on a shard with a signal that aborts when the shard is given back or lost. A shard
   * given back keeps its Lease until its work here has stopped, so no two replicas work it at once.
   */
  async work<T>(shard: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = this.signals.get(shard);
    if (!controller || !this.held.has(shard)) {
      throw new Error(`shard ${shard + 1}/${this.options.shards} is not held here`);
    }
    this.busy.set(shard, (this.busy.get(shard) ?? 0) + 1);
    try {
      return await work(controller.signal);
    } finally {
      this.busy.set(shard, this.busy.get(shard)! - 1);
    }
  }

  /**
   * Takes part until `signal` aborts, calling `onChange` after the first round and whenever the
   * held shards change; then gives every shard back and leaves the group, so the others take over
   * at once.
   */
  async run(signal: AbortSignal, onChange: (owned: number[]) => void): Promise<void> {
    const log = this.options.logger;
    let first = true;
    while (!signal.aborted) {
      const before = this.owned().join(",");
      // A round that hangs (a partition that drops packets) must not outlast the renew deadline.
      const bounded = AbortSignal.any([
        signal,
        AbortSignal.timeout(Math.max(1_000, this.renewDeadlineMs - this.retryPeriodMs)),
      ]);
      let ok = false;
      try {
        await this.round(bounded);
        ok = true;
      } catch (error) {
        if (!signal.aborted) log.warn({ err: error }, "shard leases: round failed");
      }
      this.dropUnrenewed();
      if (this.owned().join(",") !== before || (first && ok)) {
        first &&= !ok;
        log.info({ shards: this.owned() }, `holding shards ${this.describe()}`);
        onChange(this.owned());
      }
      await sleep(this.clock, this.retryPeriodMs * (1 + Math.random() * 0.2), signal).catch(
        () => undefined,
      );
    }
    const released = [...this.held.keys(), ...this.releasing];
    for (const shard of released) this.stopWorking(shard);
    this.releasing.clear();
    if (released.length > 0) onChange([]);
    await Promise.all(released.map((shard) => this.release(shard).catch(() => undefined)));
    await this.options.client.delete({ ...this.leaseRef(this.memberName) }).catch(() => undefined);
    log.info({ shards: released }, "shard leases released");
  }

  /** `1/3 and 3/3` (1-based): for people. */
  describe(shards = this.owned()): string {
    if (shards.length === 0) return "none";
    return shards.map((s) => `${s + 1}/${this.options.shards}`).join(", ");
  }

  private async round(signal: AbortSignal): Promise<void> {
    const { client, namespace, id, identity, shards } = this.options;
    const call = { signal };
    await this.renewMember(signal);
    const leases = await client.list(
      {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        namespace,
        labelSelector: `${groupLabel}=${id}`,
      },
      call,
    );
    const byName = new Map(leases.items.map((l) => [l.metadata.name, l]));
    const members = leases.items.filter((l) => l.metadata.labels?.[roleLabel] === "member");
    const live = new Set(
      members
        .filter((l) => !this.expired(l))
        .map((l) => (l.spec as LeaseSpec | undefined)?.holderIdentity ?? ""),
    );
    live.add(identity);
    // Members gone long ago (replicas that were replaced) are cleaned up.
    for (const member of members) {
      if (this.expired(member, 5)) {
        await client.delete(this.leaseRef(member.metadata.name), call).catch(() => undefined);
        this.observer.forget(member.metadata.name);
      }
    }
    const free: number[] = [];
    const counts = new Map<string, number>();
    const start = parseInt(this.memberName.slice(-6), 16) % shards;
    for (let k = 0; k < shards; k++) {
      const shard = (start + k) % shards;
      const lease = byName.get(this.shardName(shard));
      const holder = (lease?.spec as LeaseSpec | undefined)?.holderIdentity;
      const mine = this.held.has(shard) || this.releasing.has(shard);
      if (lease && holder === identity && mine) {
        if (await this.write(shard, lease, signal)) this.renewed.set(shard, this.clock.now());
      } else if (!lease || !holder || this.expired(lease) || holder === identity) {
        free.push(shard);
        continue;
      } else if (mine) {
        // Another replica holds it: it expired here before and was taken.
        this.forget(shard);
      }
      if (holder) counts.set(holder, (counts.get(holder) ?? 0) + 1);
    }
    await this.releaseFinished();
    await this.rebalance({ live, counts, free, byName, signal });
  }

  /** Releases the shards given back whose work here has stopped. */
  private async releaseFinished(): Promise<void> {
    for (const shard of [...this.releasing]) {
      if ((this.busy.get(shard) ?? 0) > 0) continue;
      this.releasing.delete(shard);
      this.renewed.delete(shard);
      await this.release(shard);
    }
  }

  /**
   * Moves toward the fair share: at most ceil(shards / replicas), and only floor while a live
   * replica holds fewer than floor. Gives one shard back or takes one free shard per round.
   */
  private async rebalance(round: {
    live: ReadonlySet<string>;
    counts: ReadonlyMap<string, number>;
    free: readonly number[];
    byName: ReadonlyMap<string, KubeObject>;
    signal: AbortSignal;
  }): Promise<void> {
    const { shards } = this.options;
    const { live, counts, free } = round;
    const floor = Math.floor(shards / live.size);
    const ceil = Math.ceil(shards / live.size);
    const starved = [...live].some((m) => (counts.get(m) ?? 0) < floor);
    const share = starved && ceil > floor ? floor : ceil;
    if (this.held.size > share) {
      const extra = Math.max(...this.held.keys());
      this.held.delete(extra);
      this.stopWorking(extra);
      this.releasing.add(extra);
      this.options.logger.info(
        `giving shard ${extra + 1}/${shards} back: ${live.size} replicas share ${shards} shards`,
      );
    } else if (this.held.size < ceil && this.releasing.size === 0 && free.length > 0) {
      const shard = free[0]!;
      if (await this.write(shard, round.byName.get(this.shardName(shard)), round.signal)) {
        this.held.set(shard, this.clock.now());
        this.renewed.set(shard, this.clock.now());
        this.signals.set(shard, new AbortController());
      }
    }
  }

  /** Aborts what this replica does on a shard it no longer holds. */
  private stopWorking(shard: number): void {
    this.signals.get(shard)?.abort(new Error(`shard ${shard + 1}/${this.options.shards} moved`));
    this.signals.delete(shard);
  }

  /** Forgets a shard held or being given back, and stops its work. */
  private forget(shard: number): void {
    this.held.delete(shard);
    this.releasing.delete(shard);
    this.renewed.delete(shard);
    this.stopWorking(shard);
  }

  /** A shard this replica has not renewed within the renew deadline is no longer worked here. */
  private dropUnrenewed(): void {
    for (const [shard, renewed] of this.renewed) {
      if (this.clock.now() - renewed >= this.renewDeadlineMs) {
        this.forget(shard);
        this.options.logger.error(
          `shard ${shard + 1}/${this.options.shards} could not be renewed: stopped working it`,
        );
      }
    }
  }

  /** Whether another's Lease has not changed for its duration (times `factor`), as seen here. */
  private expired(lease: KubeObject, factor = 1): boolean {
    const spec = (lease.spec ?? {}) as LeaseSpec;
    if (spec.holderIdentity === this.options.identity) return false;
    return this.observer.expired(lease.metadata.name, spec, factor);
  }

  /** Takes or renews a shard's Lease; false when another replica got there first. */
  private async write(
    shard: number,
    existing: KubeObject | undefined,
    signal: AbortSignal,
  ): Promise<boolean> {
    const { client, identity } = this.options;
    const spec = existing && ((existing.spec ?? {}) as LeaseSpec);
    const ours = spec?.holderIdentity === identity;
    const next = heldLeaseSpec(spec, identity, this.now(), this.leaseDurationMs);
    try {
      if (existing) await client.update({ ...existing, spec: next }, { signal });
      else {
        await client.create(
          { ...this.leaseRef(this.shardName(shard), "shard"), spec: next },
          { signal },
        );
      }
      if (!ours) {
        this.options.logger.info(`took shard ${shard + 1}/${this.options.shards}`);
      }
      return true;
    } catch (error) {
      if (isKubeError(error, "Conflict") || signal.aborted) return false;
      throw error;
    }
  }

  private async renewMember(signal: AbortSignal): Promise<void> {
    const { client, identity } = this.options;
    const ref = this.leaseRef(this.memberName, "member");
    const spec: LeaseSpec = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.round(this.leaseDurationMs / 1000),
      renewTime: microTime(this.now()),
    };
    const existing = await getOrUndefined(client, ref, { signal });
    if (existing) await client.update({ ...existing, spec }, { signal });
    else await client.create({ ...ref, spec }, { signal });
  }

  private async release(shard: number): Promise<void> {
    const { client, identity } = this.options;
    const ref = this.leaseRef(this.shardName(shard));
    const existing = await client.get(ref);
    const spec = (existing.spec ?? {}) as LeaseSpec;
    if (spec.holderIdentity !== identity) return;
    await client.update({ ...existing, spec: releasedLeaseSpec(spec, this.now()) });
  }

  private shardName(shard: number): string {
    return `${this.options.id}-shard-${shard}`;
  }

  private leaseRef(name: string, role?: "shard" | "member") {
    return {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      namespace: this.options.namespace,
      name,
      metadata: {
        name,
        namespace: this.options.namespace,
        ...(role ? { labels: { [groupLabel]: this.options.id, [roleLabel]: role } } : {}),
      },
    };
  }
}
