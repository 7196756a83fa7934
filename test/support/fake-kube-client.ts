import type {
  ApplyOptions,
  CallOptions,
  DeleteOptions,
  KindInfo,
  KubeClient,
  KubeObject,
  ListQuery,
  MergePatch,
  ObjectList,
  ObjectRef,
  WatchEvent,
  WatchQuery,
  WriteOptions,
} from "../../src/kube/kube-client.js";
import { KubeError } from "../../src/kube/kube-error.js";
import { keyOf, objectKey } from "../../src/kube/object-cache.js";
import type { ServerVersion } from "../../src/kube/server-version.js";

/** Operations a fault can be injected into. */
export type FakeOperation =
  | "get"
  | "list"
  | "watch"
  | "create"
  | "update"
  | "patch"
  | "updateStatus"
  | "patchStatus"
  | "apply"
  | "delete";

interface KindEntry extends KindInfo {
  /** With a status subresource, `update` keeps the stored status and `updateStatus` only sets it. */
  status: boolean;
}

interface Watcher {
  typeKey: string;
  query: WatchQuery;
  events: WatchEvent[];
  failure: Error | undefined;
  frozen: boolean;
  ended: boolean;
  wake: (() => void) | undefined;
}

interface LoggedEvent {
  resourceVersion: number;
  typeKey: string;
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: KubeObject;
  old: KubeObject | undefined;
}

/**
 * An in-memory KubeClient with an API server's semantics where controllers depend on them:
 * resourceVersions from one counter, optimistic concurrency (`Conflict`), generation bumps on spec
 * changes, finalizers holding deletion, status subresources, JSON merge patch, label selectors, and
 * watches that replay from a resourceVersion and fail with `Gone` for one older than the last
 * `compact()`. Faults are injected per operation (`failNext`) and per watch (`cutWatches`,
 * `expireWatches`, `freezeWatches`). Server-side apply is approximated as create-or-merge.
 */
export class FakeKubeClient implements KubeClient {
  readonly server = "https://fake.invalid";
  /** Every call, in order, as `op kind namespace/name`. */
  readonly calls: string[] = [];
  private readonly kinds = new Map<string, KindEntry>();
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly log: LoggedEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly faults = new Map<FakeOperation, Error[]>();
  private revision = 1;
  private compactedAt = 0;
  private uid = 0;

  constructor() {
    this.registerKind("v1", "ConfigMap", { plural: "configmaps", namespaced: true });
    this.registerKind("v1", "Secret", { plural: "secrets", namespaced: true });
    this.registerKind("v1", "Namespace", { plural: "namespaces", namespaced: false, status: true });
  }

  /** Serves a kind, e.g. a CRD's. */
  registerKind(
    apiVersion: string,
    kind: string,
    info: { plural: string; namespaced: boolean; status?: boolean },
  ): void {
    this.kinds.set(typeKeyOf(apiVersion, kind), { ...info, status: info.status ?? false });
  }

  /** The current resourceVersion of the whole store. */
  get resourceVersion(): string {
    return String(this.revision);
  }

  /** Makes the next call of `op` fail with `error` (queued: several calls fail in turn). */
  failNext(op: FakeOperation, error: Error = unreachable()): void {
    const queue = this.faults.get(op) ?? [];
    queue.push(error);
    this.faults.set(op, queue);
  }

  /** Forgets the event history: a watch from an older resourceVersion fails with `Gone`. */
  compact(): void {
    this.compactedAt = this.revision;
    this.log.length = 0;
  }

  /** Every open watch fails as when the connection drops (default `Unreachable`). */
  cutWatches(error: Error = unreachable()): void {
    for (const watcher of this.watchers) {
      watcher.failure = error;
      watcher.wake?.();
    }
  }

  /** Every open watch gets an ERROR event 410, as a server whose watch window moved on. */
  expireWatches(): void {
    this.cutWatches(
      new KubeError("Gone", "too old resource version", { status: 410, reason: "Expired" }),
    );
  }

  /** Every open watch ends cleanly, as at the server's watch timeout. */
  endWatches(): void {
    for (const watcher of this.watchers) {
      watcher.ended = true;
      watcher.wake?.();
    }
  }

  /** Open watches stop delivering (the connection stays open) until `thawWatches()`. */
  freezeWatches(): void {
    for (const watcher of this.watchers) watcher.frozen = true;
  }

  thawWatches(): void {
    for (const watcher of this.watchers) {
      watcher.frozen = false;
      watcher.wake?.();
    }
  }

  /** Sends each open watch a BOOKMARK with the current resourceVersion. */
  bookmark(): void {
    for (const watcher of this.watchers) {
      watcher.events.push({
        type: "BOOKMARK",
        object: {
          apiVersion: watcher.query.apiVersion,
          kind: watcher.query.kind,
          metadata: { name: "", resourceVersion: this.resourceVersion },
        },
      });
      watcher.wake?.();
    }
  }

  /** How many watches are open. */
  get openWatches(): number {
    return this.watchers.size;
  }

  /** Writes an object directly, bypassing faults and checks: test set-up. */
  seed(object: KubeObject): KubeObject {
    const namespace = this.namespaceFor(object);
    const stored = this.store({
      ...object,
      metadata: {
        ...object.metadata,
        ...(namespace ? { namespace } : {}),
        uid: `uid-${++this.uid}`,
        generation: 1,
        creationTimestamp: new Date(0).toISOString(),
      },
    });
    return clone(stored);
  }

  get(ref: ObjectRef, options: CallOptions = {}): Promise<KubeObject> {
    return this.call("get", describeRef(ref), options, () => clone(this.existing(ref)));
  }

  list(query: ListQuery, options: CallOptions = {}): Promise<ObjectList> {
    return this.call("list", `${query.kind} ${query.namespace ?? "*"}`, options, () => {
      const info = this.kind(query.apiVersion, query.kind);
      const items = [...this.bucket(query.apiVersion, query.kind).values()]
        .filter((o) => inScope(o, info.namespaced ? query.namespace : undefined, query))
        .sort((a, b) => objectKey(a).localeCompare(objectKey(b)))
        .map(clone);
      return { items, resourceVersion: this.resourceVersion };
    });
  }

  create(object: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    return this.call("create", describeObject(object), options, () => {
      const namespace = this.namespaceFor(object);
      const key = keyOf(object.metadata.name, namespace);
      if (!object.metadata.name) throw new KubeError("Invalid", "metadata.name is required");
      if (this.bucket(object.apiVersion, object.kind).has(key)) {
        throw new KubeError("Conflict", `${describeObject(object)} already exists`, {
          status: 409,
          reason: "AlreadyExists",
        });
      }
      const { resourceVersion: _rv, ...metadata } = object.metadata;
      const created: KubeObject = {
        ...clone(object),
        metadata: {
          ...metadata,
          ...(namespace ? { namespace } : {}),
          uid: `uid-${++this.uid}`,
          generation: 1,
          creationTimestamp: new Date(0).toISOString(),
        },
      };
      if (options.dryRun) return created;
      return clone(this.store(created));
    });
  }

  update(object: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    return this.call("update", describeObject(object), options, () =>
      this.replace(object, "main", options),
    );
  }

  updateStatus(object: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    return this.call("updateStatus", describeObject(object), options, () =>
      this.replace(object, "status", options),
    );
  }

  patch(ref: ObjectRef, patch: MergePatch, options: WriteOptions = {}): Promise<KubeObject> {
    return this.call("patch", describeRef(ref), options, () => {
      const current = this.existing(ref);
      const merged = mergePatch(current, patch) as KubeObject;
      return this.replace(merged, "main", options);
    });
  }

  patchStatus(ref: ObjectRef, patch: MergePatch, options: WriteOptions = {}): Promise<KubeObject> {
    return this.call("patchStatus", describeRef(ref), options, () => {
      const current = this.existing(ref);
      const merged = mergePatch(current, patch) as KubeObject;
      return this.replace(merged, "status", options);
    });
  }

  apply(object: KubeObject, options: ApplyOptions = {}): Promise<KubeObject> {
    return this.call("apply", describeObject(object), options, () => {
      const namespace = this.namespaceFor(object);
      const current = this.bucket(object.apiVersion, object.kind).get(
        keyOf(object.metadata.name, namespace),
      );
      if (current === undefined) {
        const { resourceVersion: _rv, ...metadata } = object.metadata;
        const created: KubeObject = {
          ...clone(object),
          metadata: {
            ...metadata,
            ...(namespace ? { namespace } : {}),
            uid: `uid-${++this.uid}`,
            generation: 1,
            creationTimestamp: new Date(0).toISOString(),
          },
        };
        return options.dryRun ? created : clone(this.store(created));
      }
      const merged = mergePatch(current, object) as KubeObject;
      merged.metadata.resourceVersion = current.metadata.resourceVersion!;
      return this.replace(merged, "main", options);
    });
  }

  delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<void> {
    return this.call("delete", describeRef(ref), options, () => {
      const current = this.existing(ref);
      if (
        options.resourceVersion !== undefined &&
        options.resourceVersion !== current.metadata.resourceVersion
      ) {
        throw new KubeError("Conflict", `${describeRef(ref)} has been modified`, {
          status: 409,
          reason: "Conflict",
        });
      }
      if ((current.metadata.finalizers ?? []).length > 0) {
        if (current.metadata.deletionTimestamp === undefined) {
          this.store({
            ...clone(current),
            metadata: { ...clone(current.metadata), deletionTimestamp: new Date(0).toISOString() },
          });
        }
        return;
      }
      this.remove(current);
    });
  }

  describeKind(apiVersion: string, kind: string, options: CallOptions = {}): Promise<KindInfo> {
    return this.call("describeKind", `${kind} ${apiVersion}`, options, () => {
      const { plural, namespaced } = this.kind(apiVersion, kind);
      return { plural, namespaced };
    });
  }

  serverVersion(): Promise<ServerVersion> {
    return Promise.resolve({ major: 1, minor: 37, gitVersion: "v1.37.0" } as ServerVersion);
  }

  async *watch(query: WatchQuery, options: CallOptions = {}): AsyncGenerator<WatchEvent> {
    this.calls.push(`watch ${query.kind} ${query.namespace ?? "*"} @${query.resourceVersion}`);
    options.signal?.throwIfAborted();
    const fault = this.takeFault("watch");
    if (fault !== undefined) throw fault;
    const info = this.kind(query.apiVersion, query.kind);
    const from = Number(query.resourceVersion || this.revision);
    if (from < this.compactedAt) {
      throw new KubeError("Gone", `too old resource version: ${from} (${this.compactedAt})`, {
        status: 410,
        reason: "Expired",
      });
    }
    const watcher: Watcher = {
      typeKey: typeKeyOf(query.apiVersion, query.kind),
      query: { ...query, ...(info.namespaced ? {} : { namespace: undefined as never }) },
      events: [],
      failure: undefined,
      frozen: false,
      ended: false,
      wake: undefined,
    };
    for (const event of this.log) {
      if (event.resourceVersion > from) this.deliver(watcher, event);
    }
    this.watchers.add(watcher);
    const onAbort = (): void => watcher.wake?.();
    options.signal?.addEventListener("abort", onAbort);
    try {
      for (;;) {
        options.signal?.throwIfAborted();
        if (watcher.failure !== undefined) throw watcher.failure;
        const event = watcher.frozen ? undefined : watcher.events.shift();
        if (event !== undefined) {
          yield event;
          continue;
        }
        if (watcher.ended) return;
        await new Promise<void>((resolve) => (watcher.wake = resolve));
        watcher.wake = undefined;
      }
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
      this.watchers.delete(watcher);
    }
  }

  private async call<T>(
    op: FakeOperation | "describeKind",
    what: string,
    options: CallOptions,
    fn: () => T,
  ): Promise<T> {
    this.calls.push(`${op} ${what}`);
    await Promise.resolve();
    options.signal?.throwIfAborted();
    if (op !== "describeKind") {
      const fault = this.takeFault(op);
      if (fault !== undefined) throw fault;
    }
    return fn();
  }

  private takeFault(op: FakeOperation): Error | undefined {
    return this.faults.get(op)?.shift();
  }

  private kind(apiVersion: string, kind: string): KindEntry {
    const info = this.kinds.get(typeKeyOf(apiVersion, kind));
    if (info === undefined) {
      throw new KubeError("NotFound", `the server does not serve kind ${kind} in ${apiVersion}`, {
        status: 404,
        reason: "UnknownKind",
      });
    }
    return info;
  }

  private bucket(apiVersion: string, kind: string): Map<string, KubeObject> {
    this.kind(apiVersion, kind);
    const typeKey = typeKeyOf(apiVersion, kind);
    let bucket = this.objects.get(typeKey);
    if (bucket === undefined) this.objects.set(typeKey, (bucket = new Map<string, KubeObject>()));
    return bucket;
  }

  private namespaceFor(object: {
    apiVersion: string;
    kind: string;
    metadata: { namespace?: string };
  }) {
    const info = this.kind(object.apiVersion, object.kind);
    return info.namespaced ? object.metadata.namespace || "default" : undefined;
  }

  private existing(ref: ObjectRef): KubeObject {
    const namespace = this.namespaceFor({
      ...ref,
      metadata: { ...(ref.namespace ? { namespace: ref.namespace } : {}) },
    });
    const found = this.bucket(ref.apiVersion, ref.kind).get(keyOf(ref.name, namespace));
    if (found === undefined) {
      throw new KubeError("NotFound", `${describeRef(ref)} not found`, {
        status: 404,
        reason: "NotFound",
      });
    }
    return found;
  }

  private replace(object: KubeObject, part: "main" | "status", options: WriteOptions): KubeObject {
    const namespace = this.namespaceFor(object);
    const current = this.existing({
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.metadata.name,
      ...(namespace ? { namespace } : {}),
    });
    const expected = object.metadata.resourceVersion;
    if (expected && expected !== current.metadata.resourceVersion) {
      throw new KubeError(
        "Conflict",
        `Operation cannot be fulfilled on ${describeObject(object)}: the object has been modified; please apply your changes to the latest version and try again`,
        { status: 409, reason: "Conflict" },
      );
    }
    const info = this.kind(object.apiVersion, object.kind);
    let next: KubeObject;
    if (part === "status") {
      next = {
        ...clone(current),
        ...(object.status === undefined ? {} : { status: clone(object.status) }),
      };
      if (object.status === undefined) delete next.status;
    } else {
      next = clone(object);
      // Identity and server-owned fields are never the writer's to change.
      next.metadata = {
        ...next.metadata,
        ...(namespace ? { namespace } : {}),
        uid: current.metadata.uid!,
        creationTimestamp: current.metadata.creationTimestamp!,
        generation: current.metadata.generation ?? 1,
        ...(current.metadata.deletionTimestamp
          ? { deletionTimestamp: current.metadata.deletionTimestamp }
          : {}),
      };
      if (info.status) {
        if (current.status === undefined) delete next.status;
        else next.status = clone(current.status);
      }
      if (specOf(next) !== specOf(current))
        next.metadata.generation = (current.metadata.generation ?? 1) + 1;
    }
    if (options.dryRun) return next;
    if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0) {
      this.remove(next);
      return clone(next);
    }
    return clone(this.store(next));
  }

  private store(object: KubeObject): KubeObject {
    const bucket = this.bucket(object.apiVersion, object.kind);
    const key = objectKey(object);
    const old = bucket.get(key);
    this.revision += 1;
    const stored: KubeObject = {
      ...object,
      metadata: { ...object.metadata, resourceVersion: this.resourceVersion },
    };
    bucket.set(key, stored);
    this.record(old === undefined ? "ADDED" : "MODIFIED", stored, old);
    return stored;
  }

  private remove(object: KubeObject): void {
    const bucket = this.bucket(object.apiVersion, object.kind);
    const key = objectKey(object);
    const old = bucket.get(key);
    if (old === undefined) return;
    bucket.delete(key);
    this.revision += 1;
    this.record(
      "DELETED",
      { ...old, metadata: { ...old.metadata, resourceVersion: this.resourceVersion } },
      old,
    );
  }

  private record(type: LoggedEvent["type"], object: KubeObject, old: KubeObject | undefined): void {
    const event: LoggedEvent = {
      resourceVersion: this.revision,
      typeKey: typeKeyOf(object.apiVersion, object.kind),
      type,
      object,
      old,
    };
    this.log.push(event);
    for (const watcher of this.watchers) {
      this.deliver(watcher, event);
      watcher.wake?.();
    }
  }

  /** Queues an event for a watcher as the server would: selectors turn changes into add/delete. */
  private deliver(watcher: Watcher, event: LoggedEvent): void {
    if (event.typeKey !== watcher.typeKey) return;
    const { query } = watcher;
    const now = event.type !== "DELETED" && inScope(event.object, query.namespace, query);
    const before = event.old !== undefined && inScope(event.old, query.namespace, query);
    let type: WatchEvent["type"] | undefined;
    if (event.type === "DELETED") type = before ? "DELETED" : undefined;
    else if (now) type = before ? "MODIFIED" : "ADDED";
    else if (before) type = "DELETED";
    if (type !== undefined) watcher.events.push({ type, object: clone(event.object) });
  }
}

/** RFC 7386 JSON merge patch of `target` with `patch`. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** Equality-based label selectors (`a=b`, `a==b`, `a!=b`, `a`, `!a`) and exact-label maps. */
export function matchesLabels(
  labels: Record<string, string> | undefined,
  selector: ListQuery["labelSelector"],
): boolean {
  if (selector === undefined) return true;
  const have = labels ?? {};
  if (typeof selector !== "string") {
    return Object.entries(selector).every(([k, v]) => have[k] === v);
  }
  return selector
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .every((part) => {
      const ne = /^([^!=]+)!=(.*)$/.exec(part);
      if (ne) return have[ne[1]!.trim()] !== ne[2]!.trim();
      const eq = /^([^!=]+)==?(.*)$/.exec(part);
      if (eq) return have[eq[1]!.trim()] === eq[2]!.trim();
      if (part.startsWith("!")) return !(part.slice(1) in have);
      return part in have;
    });
}

function inScope(object: KubeObject, namespace: string | undefined, query: ListQuery): boolean {
  if (namespace !== undefined && object.metadata.namespace !== namespace) return false;
  return matchesLabels(object.metadata.labels, query.labelSelector);
}

function specOf(object: KubeObject): string {
  const { metadata: _m, status: _s, ...rest } = object;
  return JSON.stringify(rest);
}

function typeKeyOf(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
}

function describeObject(object: KubeObject): string {
  return describeRef({
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name,
    ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
  });
}

function unreachable(): KubeError {
  return new KubeError("Unreachable", "cannot reach the fake API server: connection reset");
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function clone<T>(value: T): T {
  return structuredClone(value);
}
