import type { Logger } from "pino";
import type { InformerHandlers } from "./informer.js";
import type { KubeObject } from "./kube-client.js";
import { objectKey } from "./object-cache.js";
import { WorkQueue, type ProcessResult } from "./work-queue.js";

/** What a controller needs of an informer (a single one or a set over namespaces). */
export interface EventSource {
  addEventHandler(handlers: InformerHandlers): () => void;
  start(options?: { signal?: AbortSignal }): void;
  waitForSync(options?: { signal?: AbortSignal }): Promise<void>;
  stop(): Promise<void>;
}

/** An informer whose changes enqueue keys: by default the object's own key. */
export interface ControllerSource {
  informer: EventSource;
  /** The keys to reconcile when `object` changes, e.g. its owner's. Default `[objectKey(object)]`. */
  keysFor?: (object: KubeObject) => readonly string[];
}

export interface ControllerOptions {
  /** Names the controller in logs and its queue. */
  name: string;
  logger: Logger;
  sources: ControllerSource[];
  /**
   * Level-triggered: reads desired and observed state (from the informers' caches), makes the
   * world match, and is idempotent, so any event, resync or restart converges. Throwing retries
   * the key with backoff.
   */
  reconcile: (key: string, options: { signal: AbortSignal }) => Promise<ProcessResult | void>;
  /** Keys reconciled at once. Default 1. */
  workers?: number;
  /** Default: a queue with client-go's default controller rate limiter. */
  queue?: WorkQueue;
  /** Stop the sources' informers in `stop()`. Default true; false for informers others share. */
  stopInformers?: boolean;
}

/**
 * Wires informers to a work queue and a reconcile function: every add, update (resyncs included)
 * and delete enqueues keys; workers start once every informer has synced.
 */
export class Controller {
  readonly queue: WorkQueue;
  private readonly unsubscribe: (() => void)[] = [];
  private running: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: ControllerOptions) {
    this.queue = options.queue ?? new WorkQueue({ name: options.name, logger: options.logger });
  }

  /**
   * Starts the informers (a running one is left as it is), waits until all have synced, then
   * reconciles until `stop()`. Rejects only when `signal` aborts before the caches synced.
   */
  async start(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.running !== undefined) return;
    for (const { informer, keysFor } of this.options.sources) {
      const enqueue = (object: KubeObject): void => {
        for (const key of keysFor?.(object) ?? [objectKey(object)]) this.queue.add(key);
      };
      this.unsubscribe.push(
        informer.addEventHandler({
          onAdd: enqueue,
          onUpdate: (_old, object) => enqueue(object),
          onDelete: enqueue,
        }),
      );
      informer.start(options);
    }
    await Promise.all(this.options.sources.map((s) => s.informer.waitForSync(options)));
    this.running = this.queue.process(this.options.reconcile, {
      workers: this.options.workers ?? 1,
    });
  }

  /**
   * Stops taking keys, lets in-flight reconciles finish, and stops the informers. Idempotent.
   */
  stop(options: { signal?: AbortSignal } = {}): Promise<void> {
    this.stopping ??= (async () => {
      for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
      await this.queue.shutdown(options);
      await this.running;
      if (this.options.stopInformers !== false) {
        await Promise.all(this.options.sources.map((s) => s.informer.stop()));
      }
    })();
    return this.stopping;
  }
}
