import type { ServerVersion } from "./server-version.js";

export type { KubeObject, KubeObjectMeta, ManagedFieldsEntry } from "../core/kube-object.js";
import type { KubeObject } from "../core/kube-object.js";

/** Names one object. `namespace` is ignored for cluster-scoped kinds. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** Every I/O call can be cancelled. */
export interface CallOptions {
  signal?: AbortSignal;
}

export interface ListQuery {
  apiVersion: string;
  kind: string;
  /** Only this namespace; all namespaces when absent (and for cluster-scoped kinds). */
  namespace?: string;
  /** `app=web,tier!=db`, or labels that must all match exactly. */
  labelSelector?: string | Record<string, string>;
  fieldSelector?: string;
}

export interface ObjectList {
  /** Each item carries `apiVersion` and `kind`, which the server leaves out of list items. */
  items: KubeObject[];
  /** The list's resourceVersion, from which a watch can start. */
  resourceVersion: string;
}

export interface ApplyOptions extends CallOptions {
  /** Take over fields another manager owns instead of failing with `Conflict`. Default false. */
  force?: boolean;
  /** Default `bindops`. */
  fieldManager?: string;
  /** Validate and return the result without persisting it. */
  dryRun?: boolean;
}

export interface DeleteOptions extends CallOptions {
  /** Default `Background`: dependents are garbage-collected after the object goes. */
  propagationPolicy?: "Background" | "Foreground" | "Orphan";
  /** Deletes only this version of the object: `Conflict` when it changed since. */
  resourceVersion?: string;
}

/** How a server serves a kind: its resource name (plural) and whether it lives in namespaces. */
export interface KindInfo {
  plural: string;
  namespaced: boolean;
}

export interface WriteOptions extends CallOptions {
  /** Default `bindops`. */
  fieldManager?: string;
  /** Validate and return the result without persisting it. */
  dryRun?: boolean;
}

/** What to watch: a list query from a resourceVersion on. */
export interface WatchQuery extends ListQuery {
  /** Events after this version; a version the server no longer has fails with `Gone`. */
  resourceVersion: string;
  /** The server ends the watch cleanly after this long. Default: the server's choice. */
  timeoutSeconds?: number;
  /** Ask for BOOKMARK events, which only advance the resourceVersion. Default true. */
  allowBookmarks?: boolean;
}

/** One change of a watched object. A BOOKMARK's object carries only `metadata.resourceVersion`. */
export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";
  object: KubeObject;
}

/** A JSON merge patch (RFC 7386): `null` removes a field, objects merge, everything else replaces. */
export type MergePatch = Record<string, unknown>;

/**
 * The Kubernetes operations the rest of bindops needs, on plain JSON objects of any kind. Failures
 * are `KubeError`s with a `code` (`NotFound`, `Conflict`, `Invalid`, `Unreachable`, ...).
 */
export interface KubeClient {
  /** The API server's URL, for messages. */
  readonly server: string;
  get(ref: ObjectRef, options?: CallOptions): Promise<KubeObject>;
  /** All pages of a list. */
  list(query: ListQuery, options?: CallOptions): Promise<ObjectList>;
  /** Server-side apply: the object is the complete intent of its field manager. */
  apply(object: KubeObject, options?: ApplyOptions): Promise<KubeObject>;
  /**
   * Creates an object (its `metadata.resourceVersion`, if any, is left out); `Conflict` (reason
   * `AlreadyExists`) when it exists.
   */
  create(object: KubeObject, options?: WriteOptions): Promise<KubeObject>;
  /**
   * Replaces an object (PUT). With `metadata.resourceVersion` set, fails with `Conflict` when the
   * object changed since that version; the status subresource, where a kind has one, is ignored.
   */
  update(object: KubeObject, options?: WriteOptions): Promise<KubeObject>;
  /** Applies a JSON merge patch to an object; a `metadata.resourceVersion` in it is a precondition. */
  patch(ref: ObjectRef, patch: MergePatch, options?: WriteOptions): Promise<KubeObject>;
  /** Replaces the status subresource (PUT `/status`), with the same conflict rule as `update`. */
  updateStatus(object: KubeObject, options?: WriteOptions): Promise<KubeObject>;
  /** Applies a JSON merge patch to the status subresource. */
  patchStatus(ref: ObjectRef, patch: MergePatch, options?: WriteOptions): Promise<KubeObject>;
  /**
   * Watches a kind from a resourceVersion on. Events arrive in order; the iteration ends when the
   * server ends the watch (its timeout), and fails with a KubeError for a cut connection
   * (`Unreachable`) or a version the server no longer has (`Gone`, as an HTTP 410 or an ERROR
   * event). Leaving the loop, or aborting, closes the watch.
   */
  watch(query: WatchQuery, options?: CallOptions): AsyncIterable<WatchEvent>;
  /** Deletes one object; `NotFound` when it is already gone. */
  delete(ref: ObjectRef, options?: DeleteOptions): Promise<void>;
  /**
   * How the server serves a kind; `NotFound` (reason `UnknownKind`) when it does not, e.g. because
   * its CRD is not installed (yet).
   */
  describeKind(apiVersion: string, kind: string, options?: CallOptions): Promise<KindInfo>;
  /** `GET /version`, read once and remembered. */
  serverVersion(options?: CallOptions): Promise<ServerVersion>;
}
