import type { Logger } from "pino";
import type { InformerHandlers, InformerQuery } from "./informer.js";
import { Informer } from "./informer.js";
import type { KubeClient, KubeObject } from "./kube-client.js";

/**
 * Shares one informer per query among the controllers of one cluster, as client-go's shared
 * informer factory does: the first `acquire` starts it, the last `release` stops it, so that two
 * syncers of the same kind hold one cache and one watch.
 */
export class InformerFactory {
  private readonly shared = new Map<string, { informer: Informer; users: number }>();

  constructor(
    private readonly options: {
      client: Pick<KubeClient, "list" | "watch">;
      logger: Logger;
      resyncPeriodMs?: number;
    },
  ) {}

  /** A started informer for the query, shared with every other holder of the same query. */
  acquire(query: InformerQuery): Informer {
    const key = queryKey(query);
    let entry = this.shared.get(key);
    if (entry === undefined) {
      const informer = new Informer({
        client: this.options.client,
        logger: this.options.logger,
        query,
        ...(this.options.resyncPeriodMs === undefined
          ? {}
          : { resyncPeriodMs: this.options.resyncPeriodMs }),
      });
      entry = { informer, users: 0 };
      this.shared.set(key, entry);
      informer.start();
    }
    entry.users++;
    return entry.informer;
  }

  /** Gives an acquired informer back; the last holder's release stops it. */
  async release(informer: Informer): Promise<void> {
    for (const [key, entry] of this.shared) {
      if (entry.informer !== informer) continue;
      if (--entry.users > 0) return;
      this.shared.delete(key);
      await informer.stop();
      return;
    }
  }

  /** Stops every informer, whoever holds it. */
  async stopAll(): Promise<void> {
    const entries = [...this.shared.values()];
    this.shared.clear();
    await Promise.all(entries.map((e) => e.informer.stop()));
  }
}

function queryKey(query: InformerQuery): string {
  const labels =
    typeof query.labelSelector === "object"
      ? Object.entries(query.labelSelector)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, v]) => `${k}=${v}`)
          .join(",")
      : (query.labelSelector ?? "");
  return [
    query.apiVersion,
    query.kind,
    query.namespace ?? "",
    labels,
    query.fieldSelector ?? "",
  ].join("\u0000");
}

/**
 * One kind watched in a changing set of namespaces (or cluster-wide), through a factory: what a
 * konnector needs on a provider where it may read only the namespaces mapped for its consumer.
 * Handlers see the objects of every namespace in the set; a namespace added later first delivers
 * its objects as adds.
 */
export class MultiNamespaceInformer {
  private readonly informers = new Map<string, { informer: Informer; unsubscribe: () => void }>();
  private readonly handlers = new Set<InformerHandlers>();
  private readonly forwarder: InformerHandlers = {
    onAdd: (o) => this.handlers.forEach((h) => h.onAdd?.(o)),
    onUpdate: (old, o) => this.handlers.forEach((h) => h.onUpdate?.(old, o)),
    onDelete: (o) => this.handlers.forEach((h) => h.onDelete?.(o)),
  };
  private started = false;

  constructor(
    private readonly factory: InformerFactory,
    private readonly query: Omit<InformerQuery, "namespace">,
  ) {}

  /** Watches exactly these namespaces from now on; `"all"` watches cluster-wide. */
  setNamespaces(namespaces: Iterable<string> | "all"): void {
    const wanted = new Set(namespaces === "all" ? [""] : [...namespaces].filter((n) => n !== ""));
    for (const [namespace, entry] of this.informers) {
      if (wanted.has(namespace)) continue;
      this.informers.delete(namespace);
      entry.unsubscribe();
      void this.factory.release(entry.informer);
    }
    for (const namespace of wanted) {
      if (this.informers.has(namespace)) continue;
      const informer = this.factory.acquire({
        ...this.query,
        ...(namespace ? { namespace } : {}),
      });
      const unsubscribe = this.started ? informer.addEventHandler(this.forwarder) : () => {};
      this.informers.set(namespace, { informer, unsubscribe });
    }
  }

  /** The namespaces watched; `""` stands for cluster-wide. */
  namespaces(): string[] {
    return [...this.informers.keys()];
  }

  get(name: string, namespace?: string): KubeObject | undefined {
    return this.informerFor(namespace)?.get(name, namespace);
  }

  list(namespace?: string): KubeObject[] {
    if (namespace !== undefined) return this.informerFor(namespace)?.list(namespace) ?? [];
    return [...this.informers.values()].flatMap((e) => e.informer.list());
  }

  /** Whether the objects of `namespace` are known: it is watched and its informer synced. */
  hasSynced(namespace?: string): boolean {
    return this.informerFor(namespace)?.hasSynced() ?? false;
  }

  addEventHandler(handlers: InformerHandlers): () => void {
    this.handlers.add(handlers);
    return () => this.handlers.delete(handlers);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const entry of this.informers.values()) {
      entry.unsubscribe = entry.informer.addEventHandler(this.forwarder);
    }
  }

  async waitForSync(options: { signal?: AbortSignal } = {}): Promise<void> {
    await Promise.all([...this.informers.values()].map((e) => e.informer.waitForSync(options)));
  }

  async stop(): Promise<void> {
    this.started = false;
    const entries = [...this.informers.values()];
    this.informers.clear();
    for (const entry of entries) entry.unsubscribe();
    await Promise.all(entries.map((e) => this.factory.release(e.informer)));
  }

  private informerFor(namespace: string | undefined): Informer | undefined {
    return this.informers.get("")?.informer ?? this.informers.get(namespace ?? "")?.informer;
  }
}
