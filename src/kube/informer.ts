import type { Logger } from "pino";
import { Backoff } from "./backoff.js";
import { sleep, systemClock, type Clock, type TimerHandle } from "./clock.js";
import type { KubeClient, KubeObject, ListQuery, WatchEvent } from "./kube-client.js";
import { isKubeError } from "./kube-error.js";
import { ObjectCache, keyOf, objectKey, type IndexFunction } from "./object-cache.js";

/** Callbacks for changes of the informer's objects. They run one at a time, in event order. */
export interface InformerHandlers {
  onAdd?(object: KubeObject): void;
  /** `old` and `object` are the same object when a resync re-delivers it. */
  onUpdate?(old: KubeObject, object: KubeObject): void;
  /** `object` is the last state the informer knew. */
  onDelete?(object: KubeObject): void;
}

/** What an informer watches: a kind, in one namespace or all, optionally by selector. */
export type InformerQuery = Omit<ListQuery, "fieldSelector"> & { fieldSelector?: string };

export interface InformerOptions {
  /** Only `list` and `watch` are used. */
  client: Pick<KubeClient, "list" | "watch">;
  query: InformerQuery;
  logger: Logger;
  /** Re-deliver every cached object as an update this often; 0 (default) never. */
  resyncPeriodMs?: number;
  /**
   * The server ends each watch after this long, and the informer watches again from where it was.
   * Default a random value in [5, 10) minutes, as client-go, so that many informers do not
   * reconnect together.
   */
  watchTimeoutSeconds?: number;
  /**
   * A watch that delivers nothing (no event, no bookmark) for this long is closed and opened again
   * from the last resourceVersion, so that a connection that froze without closing is noticed.
   * Default 90 s.
   */
  idleTimeoutMs?: number;
  /** Delays between failed attempts. Default 200 ms doubling to 30 s, with 20 % jitter. */
  backoff?: { initialMs?: number; maxMs?: number; jitter?: number; random?: () => number };
  clock?: Clock;
}

/** Counters of an informer's work, for logs, metrics and tests. */
export interface InformerStats {
  lists: number;
  /** Lists after the first one: after a 410 Gone. */
  relists: number;
  watches: number;
  /** Watch events applied, bookmarks included. */
  events: number;
  /** Attempts that failed (list or watch) and were retried after a backoff. */
  failures: number;
  /** Watches closed because nothing arrived within the idle timeout. */
  idleRestarts: number;
  resyncs: number;
  lastError: Error | undefined;
}

/** Marks the abort of a watch by the idle timer, to tell it from a stop. */
class IdleTimeout extends Error {}

/**
 * List + watch of one kind into a local cache, with event handlers and indexes. It lists once,
 * then watches from the list's resourceVersion (bookmarks advance it). It survives what
 * client-node's informer does not (see docs/adr/0004-informers-over-our-http-layer.md): a cut
 * connection, an unreachable or restarting server and a frozen connection are retried with a
 * capped, jittered exponential backoff from the last resourceVersion; a `410 Gone` (as an HTTP
 * status or an ERROR event) relists and delivers only the differences. `stop()` ends everything
 * it started and reports no error for its own abort.
 */
export class Informer {
  private readonly cache = new ObjectCache();
  private readonly handlers = new Set<InformerHandlers>();
  private readonly clock: Clock;
  private readonly backoff: Backoff;
  private readonly log: Logger;
  private readonly idleTimeoutMs: number;
  private readonly watchTimeoutSeconds: number;
  private readonly counters: InformerStats = {
    lists: 0,
    relists: 0,
    watches: 0,
    events: 0,
    failures: 0,
    idleRestarts: 0,
    resyncs: 0,
    lastError: undefined,
  };
  private resourceVersion: string | undefined;
  /** The last attempt failed with 410: a second one in a row waits like any failure. */
  private previousGone = false;
  private synced = false;
  private readonly syncWaiters = new Set<{ resolve(): void; reject(e: Error): void }>();
  private controller: AbortController | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: InformerOptions) {
    this.clock = options.clock ?? systemClock;
    this.backoff = new Backoff({
      initialMs: options.backoff?.initialMs ?? 200,
      maxMs: options.backoff?.maxMs ?? 30_000,
      jitter: options.backoff?.jitter ?? 0.2,
      ...(options.backoff?.random === undefined ? {} : { random: options.backoff.random }),
    });
    this.idleTimeoutMs = options.idleTimeoutMs ?? 90_000;
    this.watchTimeoutSeconds = options.watchTimeoutSeconds ?? Math.floor(300 + Math.random() * 300);
    const { apiVersion, kind, namespace } = options.query;
    this.log = options.logger.child({
      informer: `${kind}.${apiVersion}${namespace ? ` in ${namespace}` : ""}`,
    });
  }

  /**
   * Registers handlers; the returned function removes them. Handlers added after the informer
   * synced first get every cached object as an add, so late subscribers miss nothing.
   */
  addEventHandler(handlers: InformerHandlers): () => void {
    this.handlers.add(handlers);
    if (this.synced) for (const object of this.cache.list()) this.call(handlers, "add", object);
    return () => this.handlers.delete(handlers);
  }

  /** See `ObjectCache.addIndex`. */
  addIndex(name: string, fn: IndexFunction): void {
    this.cache.addIndex(name, fn);
  }

  byIndex(name: string, value: string): KubeObject[] {
    return this.cache.byIndex(name, value);
  }

  /** The cached object of that name (and namespace, for namespaced kinds). */
  get(name: string, namespace?: string): KubeObject | undefined {
    return this.cache.get(keyOf(name, namespace));
  }

  /** The cached object under a key (`namespace/name` or `name`). */
  getByKey(key: string): KubeObject | undefined {
    return this.cache.get(key);
  }

  /** Every cached object, or those of one namespace. */
  list(namespace?: string): KubeObject[] {
    return this.cache.list(namespace);
  }

  keys(): string[] {
    return this.cache.keys();
  }

  /** True once the first list is in the cache; stays true across relists and reconnects. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** The resourceVersion the next watch starts from; undefined before the first list. */
  get lastResourceVersion(): string | undefined {
    return this.resourceVersion;
  }

  stats(): Readonly<InformerStats> {
    return { ...this.counters };
  }

  /** Resolves once synced; rejects when `signal` aborts or the informer stops first. */
  waitForSync(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.synced) return Promise.resolve();
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.syncWaiters.delete(waiter);
        reject(signal?.reason as Error);
      };
      const waiter = {
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        reject: (error: Error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      this.syncWaiters.add(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * Starts listing and watching in the background; a second call while running does nothing.
   * Aborting `signal` stops the informer as `stop()` does.
   */
  start(options: { signal?: AbortSignal } = {}): void {
    if (this.controller !== undefined) return;
    const controller = new AbortController();
    this.controller = controller;
    const { signal } = options;
    const onAbort = (): void => controller.abort();
    if (signal?.aborted) controller.abort();
    else signal?.addEventListener("abort", onAbort, { once: true });
    const loops = [this.run(controller.signal)];
    if ((this.options.resyncPeriodMs ?? 0) > 0) loops.push(this.resyncLoop(controller.signal));
    this.running = Promise.all(loops)
      .then(
        () => undefined,
        (error: unknown) => this.log.error({ err: error }, "informer failed"),
      )
      .finally(() => signal?.removeEventListener("abort", onAbort));
  }

  /**
   * Stops watching and waits until nothing of the informer runs any more (no request, timer or
   * callback). Idempotent; the cache keeps its contents, and a later `start()` watches on from the
   * last resourceVersion. Waiters of `waitForSync` are rejected.
   */
  async stop(): Promise<void> {
    const controller = this.controller;
    controller?.abort();
    await this.running;
    if (this.controller === controller) {
      this.controller = undefined;
      this.running = undefined;
    }
    for (const waiter of this.syncWaiters) waiter.reject(new Error("the informer stopped"));
    this.syncWaiters.clear();
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        if (this.resourceVersion === undefined) await this.listAll(signal);
        await this.watchOnce(signal);
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof IdleTimeout) {
          this.counters.idleRestarts += 1;
          this.log.debug("no event within the idle timeout; watching again");
          continue;
        }
        const gone = isKubeError(error, "Gone");
        if (gone) this.resourceVersion = undefined;
        this.counters.lastError = error instanceof Error ? error : new Error(String(error));
        // A 410 is an answer from a working server: relist at once, unless that just happened.
        const immediate = gone && !this.previousGone;
        this.previousGone = gone;
        const delay = this.backoff.next();
        if (!immediate) this.counters.failures += 1;
        this.log[gone ? "info" : "warn"](
          { err: error, ...(immediate ? {} : { retryInMs: Math.round(delay) }) },
          gone ? "resourceVersion expired; listing again" : "watch failed; retrying",
        );
        if (!immediate) {
          try {
            await sleep(this.clock, delay, signal);
          } catch {
            return;
          }
        }
      }
    }
  }

  private async listAll(signal: AbortSignal): Promise<void> {
    const list = await this.options.client.list(this.options.query, { signal });
    if (signal.aborted) return;
    if (this.counters.lists > 0) this.counters.relists += 1;
    this.counters.lists += 1;
    const diff = this.cache.replace(list.items);
    this.resourceVersion = list.resourceVersion;
    for (const object of diff.deleted) this.emit("delete", object);
    for (const object of diff.added) this.emit("add", object);
    for (const { old, object } of diff.updated) this.emit("update", object, old);
    this.log.debug(
      {
        objects: list.items.length,
        added: diff.added.length,
        updated: diff.updated.length,
        deleted: diff.deleted.length,
      },
      "listed",
    );
    if (!this.synced) {
      this.synced = true;
      for (const waiter of this.syncWaiters) waiter.resolve();
      this.syncWaiters.clear();
    }
  }

  /** One watch, until the server ends it (returns) or it fails (throws). */
  private async watchOnce(signal: AbortSignal): Promise<void> {
    const watchController = new AbortController();
    const watchSignal = AbortSignal.any([signal, watchController.signal]);
    let idle: TimerHandle | undefined;
    const arm = (): void => {
      idle?.cancel();
      idle = this.clock.schedule(this.idleTimeoutMs, () =>
        watchController.abort(new IdleTimeout()),
      );
    };
    this.counters.watches += 1;
    const startedAt = this.clock.now();
    let delivered = 0;
    arm();
    try {
      const events = this.options.client.watch(
        {
          ...this.options.query,
          resourceVersion: this.resourceVersion ?? "",
          timeoutSeconds: this.watchTimeoutSeconds,
          allowBookmarks: true,
        },
        { signal: watchSignal },
      );
      for await (const event of events) {
        arm();
        this.apply(event);
        this.backoff.reset();
        this.previousGone = false;
        delivered += 1;
      }
      if (delivered === 0 && this.clock.now() - startedAt < 1_000) {
        // A server that ends every watch at once would otherwise be asked again and again.
        idle?.cancel();
        await sleep(this.clock, this.backoff.next(), signal).catch(() => undefined);
      }
    } catch (error) {
      if (watchController.signal.aborted && !signal.aborted) throw new IdleTimeout();
      throw error;
    } finally {
      idle?.cancel();
    }
  }

  private apply(event: WatchEvent): void {
    this.counters.events += 1;
    const version = event.object.metadata?.resourceVersion;
    if (event.type === "BOOKMARK") {
      if (version) this.resourceVersion = version;
      return;
    }
    const object = event.object;
    if (event.type === "DELETED") {
      const old = this.cache.remove(objectKey(object));
      this.emit("delete", old ?? object);
    } else {
      const old = this.cache.upsert(object);
      if (old === undefined) this.emit("add", object);
      else this.emit("update", object, old);
    }
    if (version) this.resourceVersion = version;
  }

  private async resyncLoop(signal: AbortSignal): Promise<void> {
    const period = this.options.resyncPeriodMs ?? 0;
    for (;;) {
      try {
        await sleep(this.clock, period, signal);
      } catch {
        return;
      }
      if (!this.synced) continue;
      this.counters.resyncs += 1;
      for (const object of this.cache.list()) this.emit("update", object, object);
    }
  }

  private emit(type: "add" | "update" | "delete", object: KubeObject, old?: KubeObject): void {
    for (const handlers of this.handlers) this.call(handlers, type, object, old);
  }

  private call(
    handlers: InformerHandlers,
    type: "add" | "update" | "delete",
    object: KubeObject,
    old?: KubeObject,
  ): void {
    try {
      if (type === "add") handlers.onAdd?.(object);
      else if (type === "update") handlers.onUpdate?.(old ?? object, object);
      else handlers.onDelete?.(object);
    } catch (error) {
      // A handler's bug must not stop the informer; controllers only enqueue keys here.
      this.log.error({ err: error, object: objectKey(object) }, `${type} handler failed`);
    }
  }
}
