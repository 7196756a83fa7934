import type { KubeConfig } from "@kubernetes/client-node";
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
} from "./kube-client.js";
import { KubeError, isKubeError } from "./kube-error.js";
import { KubeHttp } from "./kube-http.js";
import { parseServerVersion, type ServerVersion, type VersionInfo } from "./server-version.js";

export interface RestKubeClientOptions {
  /** A request that gets no complete answer in this time fails with `Timeout`. Default 30 s. */
  requestTimeoutMs?: number;
  /** Field manager for server-side apply. Default `bindops`. */
  fieldManager?: string;
}

interface ApiResourceList {
  resources?: { name: string; kind: string; namespaced: boolean }[];
}

interface ListBody {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: Record<string, unknown>[];
}

const pageSize = 500;

/**
 * A KubeClient over the API server's REST interface, for any kind the server serves. Paths come
 * from discovery (`/api/v1`, `/apis/<group>/<version>`), cached per group-version and refreshed
 * once when a kind is not found, since CRDs come and go.
 */
export class RestKubeClient implements KubeClient {
  readonly server: string;
  /** Namespace for namespaced objects that name none: the kubeconfig context's, else `default`. */
  readonly defaultNamespace: string;
  private readonly http: KubeHttp;
  private readonly fieldManager: string;
  private readonly discovery = new Map<string, Promise<ApiResourceList>>();
  private version: Promise<ServerVersion> | undefined;

  constructor(kubeConfig: KubeConfig, options: RestKubeClientOptions = {}) {
    this.http = new KubeHttp(kubeConfig, {
      ...(options.requestTimeoutMs === undefined
        ? {}
        : { requestTimeoutMs: options.requestTimeoutMs }),
    });
    this.server = this.http.server;
    this.fieldManager = options.fieldManager ?? "bindops";
    const context = kubeConfig.getContextObject(kubeConfig.getCurrentContext());
    this.defaultNamespace = context?.namespace || "default";
  }

  async get(ref: ObjectRef, options: CallOptions = {}): Promise<KubeObject> {
    const path = await this.objectPath(ref, options.signal);
    return this.http.request<KubeObject>({
      method: "GET",
      path,
      what: describe(ref),
      ...signalOf(options),
    });
  }

  async list(query: ListQuery, options: CallOptions = {}): Promise<ObjectList> {
    const { path, namespace } = await this.collectionPath(query, options.signal);
    const items: KubeObject[] = [];
    let resourceVersion = "";
    let token: string | undefined;
    do {
      const page: ListBody = await this.http.request<ListBody>({
        method: "GET",
        path,
        query: {
          limit: pageSize,
          continue: token,
          labelSelector: selectorString(query.labelSelector),
          fieldSelector: query.fieldSelector,
        },
        what: `list of ${query.kind} (${query.apiVersion})${namespace ? ` in ${namespace}` : ""}`,
        ...signalOf(options),
      });
      for (const item of page.items ?? []) {
        items.push({ ...item, apiVersion: query.apiVersion, kind: query.kind } as KubeObject);
      }
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      token = page.metadata?.continue || undefined;
    } while (token !== undefined);
    return { items, resourceVersion };
  }

  async apply(object: KubeObject, options: ApplyOptions = {}): Promise<KubeObject> {
    const ref = refOf(object);
    const path = await this.objectPath(ref, options.signal);
    // The server refuses an apply that carries managedFields: they are its own bookkeeping.
    const { managedFields: _managed, ...metadata } = object.metadata;
    return this.http.request<KubeObject>({
      method: "PATCH",
      path,
      query: {
        fieldManager: options.fieldManager ?? this.fieldManager,
        force: options.force === true ? true : undefined,
        dryRun: options.dryRun === true ? "All" : undefined,
      },
      body: { ...object, metadata },
      contentType: "application/apply-patch+yaml",
      what: `apply of ${describe(ref)}`,
      ...signalOf(options),
    });
  }

  async create(object: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    const ref = refOf(object);
    if (!ref.name) throw this.nameless(ref);
    const { path, namespace } = await this.collectionPath(
      { ...ref, namespace: ref.namespace || this.defaultNamespace },
      options.signal,
    );
    // A copy of a read object (the konnector's) carries the server's bookkeeping, which a create
    // must not: the server refuses a resourceVersion and ignores the rest.
    const { managedFields: _managed, resourceVersion: _rv, ...metadata } = object.metadata;
    return this.http.request<KubeObject>({
      method: "POST",
      path,
      query: this.writeQuery(options),
      body: {
        ...object,
        metadata: namespace === undefined ? metadata : { ...metadata, namespace },
      },
      what: `create of ${describe(ref)}`,
      ...signalOf(options),
    });
  }

  update(object: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    return this.put(object, "", options);
  }

  updateStatus(object: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    return this.put(object, "/status", options);
  }

  patch(ref: ObjectRef, patch: MergePatch, options: WriteOptions = {}): Promise<KubeObject> {
    return this.mergePatch(ref, "", patch, options);
  }

  patchStatus(ref: ObjectRef, patch: MergePatch, options: WriteOptions = {}): Promise<KubeObject> {
    return this.mergePatch(ref, "/status", patch, options);
  }

  async *watch(query: WatchQuery, options: CallOptions = {}): AsyncGenerator<WatchEvent> {
    const { path, namespace } = await this.collectionPath(query, options.signal);
    const request = {
      method: "GET" as const,
      path,
      query: {
        watch: 1,
        allowWatchBookmarks: query.allowBookmarks ?? true,
        resourceVersion: query.resourceVersion,
        timeoutSeconds: query.timeoutSeconds,
        labelSelector: selectorString(query.labelSelector),
        fieldSelector: query.fieldSelector,
      },
      what: `watch of ${query.kind} (${query.apiVersion})${namespace ? ` in ${namespace}` : ""}`,
      ...signalOf(options),
    };
    for await (const line of this.http.stream(request)) {
      let event: { type?: unknown; object?: unknown };
      try {
        event = JSON.parse(line) as typeof event;
      } catch (error) {
        throw new KubeError("Unknown", `${this.server} sent a watch event that is not JSON`, {
          server: this.server,
          cause: error,
        });
      }
      const object = event.object as Record<string, unknown> | undefined;
      switch (event.type) {
        case "ADDED":
        case "MODIFIED":
        case "DELETED":
        case "BOOKMARK":
          yield {
            type: event.type,
            object: { ...object, apiVersion: query.apiVersion, kind: query.kind } as KubeObject,
          };
          break;
        case "ERROR": {
          // An ERROR event carries a Status; its code says what an HTTP answer would have.
          const code = typeof object?.code === "number" ? object.code : 500;
          throw this.http.statusError(request, code, JSON.stringify(object ?? {}));
        }
        default:
          throw new KubeError("Unknown", `${this.server} sent a watch event of no known type`, {
            server: this.server,
          });
      }
    }
  }

  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<void> {
    const path = await this.objectPath(ref, options.signal);
    await this.http.request<unknown>({
      method: "DELETE",
      path,
      body: {
        apiVersion: "v1",
        kind: "DeleteOptions",
        propagationPolicy: options.propagationPolicy ?? "Background",
        ...(options.resourceVersion === undefined
          ? {}
          : { preconditions: { resourceVersion: options.resourceVersion } }),
      },
      what: describe(ref),
      ...signalOf(options),
    });
  }

  serverVersion(options: CallOptions = {}): Promise<ServerVersion> {
    if (!this.version) {
      const version = this.http
        .request<VersionInfo>({ method: "GET", path: "/version" })
        .then(parseServerVersion);
      this.version = version;
      // A failed read is not remembered: the next call tries again.
      version.catch(() => {
        if (this.version === version) this.version = undefined;
      });
    }
    return abortable(this.version, options.signal);
  }

  /**
   * The resource name and scope of a kind, from discovery. `NotFound` (reason `UnknownKind`) when
   * the server does not serve it, e.g. because its CRD is not installed (yet).
   */
  async describeKind(
    apiVersion: string,
    kind: string,
    options: CallOptions = {},
  ): Promise<KindInfo> {
    const cached = this.discovery.has(apiVersion);
    let found = findKind(await abortable(this.resources(apiVersion), options.signal), kind);
    if (!found && cached) {
      this.discovery.delete(apiVersion);
      found = findKind(await abortable(this.resources(apiVersion), options.signal), kind);
    }
    if (!found) {
      throw new KubeError(
        "NotFound",
        `the API server at ${this.server} does not serve kind ${kind} in ${apiVersion}`,
        {
          server: this.server,
          status: 404,
          reason: "UnknownKind",
          hint: "check apiVersion and kind, or install the CustomResourceDefinition that defines it",
        },
      );
    }
    return { plural: found.name, namespaced: found.namespaced };
  }

  /** Closes idle connections; the client stays usable. */
  close(): void {
    this.http.close();
  }

  private async put(
    object: KubeObject,
    subresource: "" | "/status",
    options: WriteOptions,
  ): Promise<KubeObject> {
    const ref = refOf(object);
    const path = (await this.objectPath(ref, options.signal)) + subresource;
    const { managedFields: _managed, ...metadata } = object.metadata;
    return this.http.request<KubeObject>({
      method: "PUT",
      path,
      query: this.writeQuery(options),
      body: { ...object, metadata },
      what: `update of ${subresource ? "the status of " : ""}${describe(ref)}`,
      ...signalOf(options),
    });
  }

  private async mergePatch(
    ref: ObjectRef,
    subresource: "" | "/status",
    patch: MergePatch,
    options: WriteOptions,
  ): Promise<KubeObject> {
    const path = (await this.objectPath(ref, options.signal)) + subresource;
    return this.http.request<KubeObject>({
      method: "PATCH",
      path,
      query: this.writeQuery(options),
      body: patch,
      contentType: "application/merge-patch+json",
      what: `patch of ${subresource ? "the status of " : ""}${describe(ref)}`,
      ...signalOf(options),
    });
  }

  private writeQuery(options: WriteOptions): Record<string, string | undefined> {
    return {
      fieldManager: options.fieldManager ?? this.fieldManager,
      dryRun: options.dryRun === true ? "All" : undefined,
    };
  }

  /** The path of a kind's collection, in a namespace when it is namespaced and one is given. */
  private async collectionPath(
    query: { apiVersion: string; kind: string; namespace?: string },
    signal: AbortSignal | undefined,
  ): Promise<{ path: string; namespace: string | undefined }> {
    const info = await this.describeKind(
      query.apiVersion,
      query.kind,
      signal === undefined ? {} : { signal },
    );
    const namespace = info.namespaced ? query.namespace : undefined;
    const path =
      groupVersionPath(query.apiVersion) +
      (namespace === undefined ? "" : `/namespaces/${encodeURIComponent(namespace)}`) +
      `/${info.plural}`;
    return { path, namespace };
  }

  private nameless(ref: ObjectRef): KubeError {
    return new KubeError("Invalid", `${ref.kind} (${ref.apiVersion}) has no metadata.name`, {
      server: this.server,
    });
  }

  /** Shared between concurrent callers, so it runs without any one caller's signal. */
  private resources(apiVersion: string): Promise<ApiResourceList> {
    let entry = this.discovery.get(apiVersion);
    if (!entry) {
      entry = this.http
        .request<ApiResourceList>({
          method: "GET",
          path: groupVersionPath(apiVersion),
          what: `discovery of ${apiVersion}`,
        })
        .catch((error: unknown) => {
          if (isKubeError(error, "NotFound")) return {};
          throw error;
        });
      const current = entry;
      this.discovery.set(apiVersion, current);
      current.catch(() => {
        if (this.discovery.get(apiVersion) === current) this.discovery.delete(apiVersion);
      });
    }
    return entry;
  }

  private async objectPath(ref: ObjectRef, signal: AbortSignal | undefined): Promise<string> {
    if (!ref.name) throw this.nameless(ref);
    const info = await this.describeKind(
      ref.apiVersion,
      ref.kind,
      signal === undefined ? {} : { signal },
    );
    const namespace = info.namespaced ? ref.namespace || this.defaultNamespace : undefined;
    return (
      groupVersionPath(ref.apiVersion) +
      (namespace === undefined ? "" : `/namespaces/${encodeURIComponent(namespace)}`) +
      `/${info.plural}/${encodeURIComponent(ref.name)}`
    );
  }
}

function findKind(list: ApiResourceList, kind: string) {
  // Subresources (`deployments/scale`) share their parent's kind sometimes; skip them.
  return list.resources?.find((r) => r.kind === kind && !r.name.includes("/"));
}

function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

function refOf(object: KubeObject): ObjectRef {
  const { apiVersion, kind, metadata } = object;
  return {
    apiVersion,
    kind,
    name: metadata?.name ?? "",
    ...(metadata?.namespace ? { namespace: metadata.namespace } : {}),
  };
}

function describe(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
}

function selectorString(selector: ListQuery["labelSelector"]): string | undefined {
  if (selector === undefined || typeof selector === "string") return selector || undefined;
  const parts = Object.entries(selector).map(([key, value]) => `${key}=${value}`);
  return parts.length === 0 ? undefined : parts.join(",");
}

function signalOf(options: CallOptions): { signal?: AbortSignal } {
  return options.signal === undefined ? {} : { signal: options.signal };
}

/** Waits for a shared promise, but gives up when the caller's signal aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.finally(() => signal.removeEventListener("abort", onAbort)).then(resolve, reject);
  });
}
