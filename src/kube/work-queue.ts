import type { Logger } from "pino";
import { systemClock, type Clock, type TimerHandle } from "./clock.js";
import { defaultControllerRateLimiter, type RateLimiter } from "./rate-limiter.js";

/** What processing a key asks for next. Nothing: done until the key is added again. */
export interface ProcessResult {
  /** Process the key again after this long (e.g. to poll something that has no events). */
  requeueAfter?: number;
}

/** Processes one key; throwing retries it with the rate limiter's backoff. */
export type ProcessFunction = (
  key: string,
  options: { signal: AbortSignal },
) => Promise<ProcessResult | void>;

export interface WorkQueueOptions {
  /** Names the queue in logs. */
  name: string;
  logger: Logger;
  /** Default `defaultControllerRateLimiter(clock)`. */
  rateLimiter?: RateLimiter;
  clock?: Clock;
}

/** Counters for metrics. Durations are in milliseconds of the queue's clock. */
export interface WorkQueueMetrics {
  /** Keys waiting to be processed (not counting delayed ones). */
  depth: number;
  /** Keys waiting for a delay (`addAfter`, backoff). */
  delayed: number;
  inFlight: number;
  adds: number;
  /** Failed attempts sent back with backoff. */
  retries: number;
  processed: number;
  failures: number;
  /** Time from being queued to being picked up. */
  queueLatency: { count: number; sumMs: number; maxMs: number };
  workDuration: { count: number; sumMs: number; maxMs: number };
}

const liveQueues = new Set<WorkQueue>();

/**
 * Every queue of the process that has not shut down, for metrics (as client-go's workqueue
 * metrics provider sees every queue).
 */
export function liveWorkQueues(): WorkQueue[] {
  return [...liveQueues];
}

/**
 * A keyed work queue with client-go's semantics: a key is queued at most once however often it is
 * added; a key is never processed by two workers at once; a key added while it is processed is
 * processed again afterwards. Failed keys come back after a per-key exponential backoff, capped by
 * an overall rate limit. `shutdown()` lets in-flight work finish.
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  /** Keys that need processing: queued, or added again while processing. */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly addedAt = new Map<string, number>();
  private readonly waiting = new Map<string, { at: number; timer: TimerHandle }>();
  private readonly getters: ((key: string | undefined) => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private readonly rateLimiter: RateLimiter;
  private readonly clock: Clock;
  private readonly log: Logger;
  private shuttingDown = false;
  private readonly counters = {
    adds: 0,
    retries: 0,
    processed: 0,
    failures: 0,
    queueLatency: { count: 0, sumMs: 0, maxMs: 0 },
    workDuration: { count: 0, sumMs: 0, maxMs: 0 },
  };
  private readonly workerAbort = new AbortController();
  private workers: Promise<void>[] = [];

  /** Names the queue in logs and metrics. */
  readonly name: string;

  constructor(options: WorkQueueOptions) {
    this.name = options.name;
    liveQueues.add(this);
    this.clock = options.clock ?? systemClock;
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter(this.clock);
    this.log = options.logger.child({ queue: options.name });
  }

  /** Queues a key unless it is queued already. Ignored after shutdown. */
  add(key: string): void {
    if (this.shuttingDown) return;
    this.counters.adds += 1;
    if (this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /** Queues a key after `ms`; a key already waiting keeps the earlier of the two times. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = this.clock.now() + ms;
    const existing = this.waiting.get(key);
    if (existing !== undefined && existing.at <= at) return;
    existing?.timer.cancel();
    const timer = this.clock.schedule(ms, () => {
      this.waiting.delete(key);
      this.add(key);
    });
    this.waiting.set(key, { at, timer });
  }

  /** Queues a key after its backoff (see the rate limiter): for a failed attempt. */
  addRateLimited(key: string): void {
    this.counters.retries += 1;
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** The key succeeded: its next failure starts the backoff over. */
  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  /** Failed attempts of the key since it was last forgotten. */
  retries(key: string): number {
    return this.rateLimiter.retries(key);
  }

  get length(): number {
    return this.queue.length;
  }

  metrics(): WorkQueueMetrics {
    return {
      depth: this.queue.length,
      delayed: this.waiting.size,
      inFlight: this.processing.size,
      ...this.counters,
      queueLatency: { ...this.counters.queueLatency },
      workDuration: { ...this.counters.workDuration },
    };
  }

  /**
   * The next key, once one is queued; the caller must call `done(key)` after processing it.
   * Resolves `undefined` once the queue shuts down (and, when draining, is empty).
   */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) return Promise.resolve(this.take(key));
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Ends processing of a key; it is queued again if it was added meanwhile. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) this.push(key);
    else if (this.processing.size === 0) this.notifyIdle();
    if (this.shuttingDown && this.queue.length === 0 && this.processing.size === 0) {
      this.notifyIdle();
    }
  }

  /**
   * Runs `workers` loops that each take a key, call `process`, and then forget it (success),
   * queue it again after `requeueAfter`, or queue it rate-limited (failure). At most `workers` keys
   * are processed at once, never one key twice. Resolves once the queue has shut down and every
   * loop has finished.
   */
  process(fn: ProcessFunction, options: { workers?: number } = {}): Promise<void> {
    const count = Math.max(1, options.workers ?? 1);
    for (let i = 0; i < count; i++) this.workers.push(this.worker(fn));
    return Promise.all(this.workers).then(() => undefined);
  }

  /**
   * Stops taking new keys and delayed adds, and waits until in-flight work has finished. With
   * `drain`, keys already queued are processed first. Aborting `signal` aborts the signal given to
   * in-flight work (the wait still lasts until it returns). Idempotent.
   */
  async shutdown(options: { drain?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    const onAbort = (): void => this.workerAbort.abort(options.signal?.reason);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener("abort", onAbort, { once: true });
    if (!this.shuttingDown) {
      this.shuttingDown = true;
      liveQueues.delete(this);
      for (const { timer } of this.waiting.values()) timer.cancel();
      this.waiting.clear();
      if (options.drain !== true) {
        this.dirty.clear();
        this.queue.length = 0;
      }
      if (this.queue.length === 0) for (const resolve of this.getters.splice(0)) resolve(undefined);
    }
    try {
      await new Promise<void>((resolve) => {
        if (this.processing.size === 0 && this.queue.length === 0) resolve();
        else this.idleWaiters.push(resolve);
      });
      await Promise.all(this.workers);
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
    }
  }

  private push(key: string): void {
    this.addedAt.set(key, this.clock.now());
    const getter = this.getters.shift();
    if (getter !== undefined) getter(this.take(key));
    else this.queue.push(key);
  }

  private take(key: string): string {
    this.dirty.delete(key);
    this.processing.add(key);
    const waited = this.clock.now() - (this.addedAt.get(key) ?? this.clock.now());
    this.addedAt.delete(key);
    observe(this.counters.queueLatency, waited);
    return key;
  }

  private notifyIdle(): void {
    if (this.queue.length > 0 || this.processing.size > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
    if (this.shuttingDown) for (const resolve of this.getters.splice(0)) resolve(undefined);
  }

  private async worker(fn: ProcessFunction): Promise<void> {
    for (;;) {
      const key = await this.get();
      if (key === undefined) return;
      const started = this.clock.now();
      try {
        const result = await fn(key, { signal: this.workerAbort.signal });
        this.counters.processed += 1;
        this.forget(key);
        if (result?.requeueAfter !== undefined) this.addAfter(key, result.requeueAfter);
      } catch (error) {
        this.counters.failures += 1;
        this.log.warn(
          { err: error, key, retries: this.retries(key) },
          "processing failed; retrying later",
        );
        this.addRateLimited(key);
      } finally {
        observe(this.counters.workDuration, this.clock.now() - started);
        this.done(key);
      }
    }
  }
}

function observe(stat: { count: number; sumMs: number; maxMs: number }, ms: number): void {
  stat.count += 1;
  stat.sumMs += ms;
  stat.maxMs = Math.max(stat.maxMs, ms);
}
