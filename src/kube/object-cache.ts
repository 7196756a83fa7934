import type { KubeObject } from "./kube-client.js";

/** Maps an object to the values it is found under in an index, e.g. its owner's name. */
export type IndexFunction = (object: KubeObject) => readonly string[];

/** What replacing a cache's contents changed. */
export interface CacheDiff {
  added: KubeObject[];
  /** Objects whose resourceVersion changed: the cached one and the new one. */
  updated: { old: KubeObject; object: KubeObject }[];
  /** The last known state of each object that is gone. */
  deleted: KubeObject[];
}

/** `namespace/name` for namespaced objects, `name` for cluster-scoped ones (client-go's key). */
export function objectKey(object: { metadata: { name: string; namespace?: string } }): string {
  const { name, namespace } = object.metadata;
  return namespace ? `${namespace}/${name}` : name;
}

/** The key of an object named `name`, in `namespace` when it is namespaced. */
export function keyOf(name: string, namespace?: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/**
 * What changed from `previous` to `next` (the items of a fresh list): new keys are added, keys
 * with another resourceVersion are updated, missing keys are deleted. Pure.
 */
export function diffObjects(
  previous: ReadonlyMap<string, KubeObject>,
  next: readonly KubeObject[],
): CacheDiff {
  const diff: CacheDiff = { added: [], updated: [], deleted: [] };
  const seen = new Set<string>();
  for (const object of next) {
    const key = objectKey(object);
    seen.add(key);
    const old = previous.get(key);
    if (old === undefined) diff.added.push(object);
    else if (old.metadata.resourceVersion !== object.metadata.resourceVersion) {
      diff.updated.push({ old, object });
    }
  }
  for (const [key, old] of previous) if (!seen.has(key)) diff.deleted.push(old);
  return diff;
}

/**
 * The objects an informer has seen, by key, by namespace and by custom indexes. Indexes stay
 * consistent with the objects on every change; an index added late covers what is already cached.
 */
export class ObjectCache {
  private readonly objects = new Map<string, KubeObject>();
  private readonly indexers = new Map<string, IndexFunction>();
  /** index name → value → keys. */
  private readonly indexes = new Map<string, Map<string, Set<string>>>();

  constructor() {
    this.addIndex("namespace", (o) => (o.metadata.namespace ? [o.metadata.namespace] : []));
  }

  get size(): number {
    return this.objects.size;
  }

  /** The object under `key` (see `objectKey`). */
  get(key: string): KubeObject | undefined {
    return this.objects.get(key);
  }

  /** Every object, or those of one namespace. */
  list(namespace?: string): KubeObject[] {
    if (namespace === undefined) return [...this.objects.values()];
    return this.byIndex("namespace", namespace);
  }

  keys(): string[] {
    return [...this.objects.keys()];
  }

  /** A snapshot of the contents, key → object. */
  snapshot(): Map<string, KubeObject> {
    return new Map(this.objects);
  }

  /** Adds (or replaces) an index; `byIndex(name, value)` then finds objects by `fn`'s values. */
  addIndex(name: string, fn: IndexFunction): void {
    this.indexers.set(name, fn);
    const index = new Map<string, Set<string>>();
    this.indexes.set(name, index);
    for (const [key, object] of this.objects) addTo(index, fn(object), key);
  }

  /** The objects `name`'s index function maps to `value`; an unknown index throws. */
  byIndex(name: string, value: string): KubeObject[] {
    const index = this.indexes.get(name);
    if (index === undefined) throw new Error(`the cache has no index named "${name}"`);
    const out: KubeObject[] = [];
    for (const key of index.get(value) ?? []) {
      const object = this.objects.get(key);
      if (object !== undefined) out.push(object);
    }
    return out;
  }

  /** Stores an object; returns the one it replaced. */
  upsert(object: KubeObject): KubeObject | undefined {
    const key = objectKey(object);
    const old = this.objects.get(key);
    if (old !== undefined) this.unindex(key, old);
    this.objects.set(key, object);
    for (const [name, fn] of this.indexers) addTo(this.indexes.get(name)!, fn(object), key);
    return old;
  }

  /** Removes an object by key; returns it. */
  remove(key: string): KubeObject | undefined {
    const old = this.objects.get(key);
    if (old === undefined) return undefined;
    this.unindex(key, old);
    this.objects.delete(key);
    return old;
  }

  /** Replaces the contents with a fresh list and returns what changed. */
  replace(items: readonly KubeObject[]): CacheDiff {
    const diff = diffObjects(this.objects, items);
    for (const object of diff.deleted) this.remove(objectKey(object));
    for (const object of diff.added) this.upsert(object);
    for (const { object } of diff.updated) this.upsert(object);
    return diff;
  }

  private unindex(key: string, object: KubeObject): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indexes.get(name)!;
      for (const value of fn(object)) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }
}

function addTo(index: Map<string, Set<string>>, values: readonly string[], key: string): void {
  for (const value of values) {
    let keys = index.get(value);
    if (keys === undefined) index.set(value, (keys = new Set()));
    keys.add(key);
  }
}
