import type { Logger } from "pino";
import { canonicalJson } from "../core/canonical-json.js";
import { konnectorKeys } from "../core/kube-bind-objects.js";
import { Controller } from "../kube/controller.js";
import type { Informer } from "../kube/informer.js";
import { MultiNamespaceInformer, type InformerFactory } from "../kube/informer-factory.js";
import type { KubeClient, KubeObject } from "../kube/kube-client.js";
import { isKubeError } from "../kube/kube-error.js";
import { ignoreNotFound } from "../kube/not-found.js";
import { keyOf, objectKey } from "../kube/object-cache.js";
import { objectRefOf } from "../kube/object-ref-of.js";
import { updateWithRetry } from "../kube/update-with-retry.js";
import type { KeyMapper } from "./isolation.js";
import { parseKey, type ObjectKey } from "./isolation.js";
import { copyFor, mergePatchBetween } from "./object-copies.js";
import type { SyncTally } from "./sync-tally.js";
import { requeueOnConflict } from "./requeue-on-conflict.js";
import { countSyncWrite } from "./sync-writes.js";

/** The field manager kube-bind's konnector applies bound objects with (spec §6.8). */
export const specFieldManager = "kube-bind.io";

/**
 * Consumer objects of one kind a syncer writes to the provider at once. The work queue never hands
 * one key to two workers; four carry a burst of creates about 1.6× as fast as one (bench:sync,
 * 500 objects: 81 against 52 objects/s) at a load an API server takes in its stride.
 */
export const specWorkers = 4;

export interface ResourceSyncerOptions {
  /** `<export>/<resource>.<group>`, for logs and the tally. */
  name: string;
  consumer: KubeClient;
  provider: KubeClient;
  consumerInformers: InformerFactory;
  providerInformers: InformerFactory;
  /** The bound kind, in the version objects are synced in. */
  apiVersion: string;
  kind: string;
  clusterNamespace: string;
  /** For the ownerReference of cluster-scoped provider copies (`None`, `Prefixed`). */
  clusterNamespaceUid: string;
  mapper: KeyMapper;
  /**
   * Only consumer objects in these namespaces are the binding's (its consented namespaces, for a
   * namespaced kind); all when absent.
   */
  consumerNamespaces?: readonly string[];
  /** Provider namespaces to watch: `"all"`, or those mapped for the consumer now. */
  providerNamespaces: () => Iterable<string> | "all";
  /** The provider's APIServiceNamespaces in the cluster namespace. */
  serviceNamespaces: Informer;
  /** Asks the backend for a provider namespace for a consumer namespace (spec §6.7). */
  ensureServiceNamespace: (consumerNamespace: string, signal: AbortSignal) => Promise<void>;
  tally: SyncTally;
  logger: Logger;
}

/**
 * Syncs one bound kind between a consumer and its provider (spec §6.8–6.10): each consumer object
 * is created on the provider at the key the isolation strategy maps it to, held by the
 * `kubebind.io/syncer` finalizer until its copy is gone, and its `spec` applied up whenever it
 * differs; the provider's `status` comes down to the consumer's status subresource; a provider
 * copy deleted by hand is re-created and one whose consumer object is gone is deleted. Objects on
 * the provider that do not carry this consumer's `kube-bind.io/cluster-namespace` are never
 * written or deleted: they are reported as conflicts.
 */
export class ResourceSyncer {
  private readonly consumerObjects: MultiNamespaceInformer;
  private readonly providerObjects: MultiNamespaceInformer;
  private readonly spec: Controller;
  private readonly status: Controller;
  private readonly log: Logger;
  private readonly unsubscribe: () => void;

  constructor(private readonly o: ResourceSyncerOptions) {
    this.log = o.logger.child({ syncer: o.name });
    const query = { apiVersion: o.apiVersion, kind: o.kind };
    this.consumerObjects = new MultiNamespaceInformer(o.consumerInformers, query);
    this.consumerObjects.setNamespaces(o.consumerNamespaces ?? "all");
    this.providerObjects = new MultiNamespaceInformer(o.providerInformers, query);
    this.providerObjects.setNamespaces(o.providerNamespaces());
    const refreshNamespaces = (): void =>
      this.providerObjects.setNamespaces(o.providerNamespaces());
    this.unsubscribe = o.serviceNamespaces.addEventHandler({
      onAdd: refreshNamespaces,
      onUpdate: refreshNamespaces,
      onDelete: refreshNamespaces,
    });
    const consumerKeysIn = (sn: KubeObject) =>
      this.consumerObjects.list(sn.metadata.name).map(objectKey);
    const providerKeysIn = (sn: KubeObject) => {
      const namespace = (sn.status as { namespace?: string } | undefined)?.namespace;
      return namespace ? this.providerObjects.list(namespace).map(objectKey) : [];
    };
    this.spec = new Controller({
      name: `spec ${o.name}`,
      logger: this.log,
      workers: specWorkers,
      stopInformers: false,
      sources: [
        { informer: this.consumerObjects },
        {
          informer: this.providerObjects,
          keysFor: (p) => this.consumerKeyOf(p) ?? [],
        },
        { informer: o.serviceNamespaces, keysFor: consumerKeysIn },
      ],
      reconcile: requeueOnConflict((key, { signal }) => this.reconcileSpec(key, signal)),
    });
    this.status = new Controller({
      name: `status ${o.name}`,
      logger: this.log,
      stopInformers: false,
      sources: [
        { informer: this.providerObjects },
        {
          informer: this.consumerObjects,
          keysFor: (c) => {
            const key = o.mapper.toProvider(keyOfObject(c));
            return key ? [keyOf(key.name, key.namespace)] : [];
          },
        },
        { informer: o.serviceNamespaces, keysFor: providerKeysIn },
      ],
      reconcile: requeueOnConflict((key, { signal }) => this.reconcileStatus(key, signal)),
    });
  }

  /** Starts both directions; resolves once their caches synced. */
  async start(): Promise<void> {
    await Promise.all([this.spec.start(), this.status.start()]);
  }

  /** True once stopped: a start that fails after this is no error. */
  stopped = false;

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    await Promise.all([this.spec.stop(), this.status.stop()]);
    await this.providerObjects.stop();
    await this.consumerObjects.stop();
    this.o.tally.forgetPrefix(`${this.o.name} `);
  }

  /** Whether a consumer key lies in the binding's namespaces (all, when it names none). */
  private ours(key: ObjectKey): boolean {
    return (
      this.o.consumerNamespaces === undefined || this.o.consumerNamespaces.includes(key.namespace)
    );
  }

  private tallyKey(key: string): string {
    return `${this.o.name} ${this.o.kind} ${key}`;
  }

  private consumerKeyOf(provider: KubeObject): string[] | undefined {
    const key = this.o.mapper.toConsumer(keyOfObject(provider));
    return key ? [keyOf(key.name, key.namespace)] : undefined;
  }

  private async reconcileSpec(
    key: string,
    signal: AbortSignal,
  ): Promise<{ requeueAfter?: number }> {
    const { o } = this;
    const call = { signal };
    const tallyKey = this.tallyKey(key);
    const consumerKey = parseKey(key);
    if (!this.ours(consumerKey)) return {};
    const downstream = this.consumerObjects.get(
      consumerKey.name,
      consumerKey.namespace || undefined,
    );
    if (downstream === undefined) {
      o.tally.forget(tallyKey);
      return {};
    }
    const deleting = downstream.metadata.deletionTimestamp !== undefined;
    const providerKey = o.mapper.toProvider(consumerKey);
    if (providerKey === undefined) {
      if (deleting) {
        await this.removeFinalizer(downstream, signal);
        return {};
      }
      await o.ensureServiceNamespace(consumerKey.namespace, signal);
      o.tally.set(tallyKey, "pending", "waiting for the provider to assign a namespace");
      return { requeueAfter: 1_000 };
    }
    if (!this.providerObjects.hasSynced(providerKey.namespace || undefined)) {
      o.tally.set(tallyKey, "pending", "waiting for the provider's objects to be read");
      return { requeueAfter: 1_000 };
    }
    const upstream = this.providerObjects.get(providerKey.name, providerKey.namespace || undefined);
    if (upstream === undefined) {
      if (deleting) {
        await this.removeFinalizer(downstream, signal);
        o.tally.forget(tallyKey);
        return {};
      }
      const current = await this.ensureFinalizer(downstream, signal);
      try {
        await o.provider.create(this.upstreamCopy(current, consumerKey, providerKey), call);
        countSyncWrite("up", current.kind);
        this.log.info(
          { object: key, provider: keyOf(providerKey.name, providerKey.namespace) },
          "created on the provider",
        );
      } catch (error) {
        if (!isKubeError(error, "Conflict")) throw error;
        // Created meanwhile (by us, seen later by the informer, or by someone else): look again.
        return { requeueAfter: 1_000 };
      }
      o.tally.set(tallyKey, "synced");
      return {};
    }
    const owner = upstream.metadata.annotations?.[konnectorKeys.clusterNamespace];
    if (owner !== o.clusterNamespace) {
      o.tally.set(
        tallyKey,
        "conflicted",
        owner === undefined
          ? `${keyOf(providerKey.name, providerKey.namespace)} exists on the provider and was not created by a konnector`
          : `${keyOf(providerKey.name, providerKey.namespace)} on the provider belongs to cluster namespace ${owner}`,
      );
      return {};
    }
    if (deleting) {
      if (upstream.metadata.deletionTimestamp !== undefined) return { requeueAfter: 1_000 };
      await o.provider.delete(objectRefOf(upstream), call).catch(ignoreNotFound);
      await this.removeFinalizer(downstream, signal);
      o.tally.forget(tallyKey);
      this.log.info({ object: key }, "deleted on the provider");
      return {};
    }
    const current = await this.ensureFinalizer(downstream, signal);
    const annotations = this.upstreamAnnotations(current, consumerKey);
    const stale =
      canonicalJson(upstream.spec ?? null) !== canonicalJson(current.spec ?? null) ||
      Object.entries(annotations).some(([k, v]) => upstream.metadata.annotations?.[k] !== v);
    if (stale) {
      await o.provider.apply(
        {
          apiVersion: upstream.apiVersion,
          kind: upstream.kind,
          metadata: {
            name: providerKey.name,
            ...(providerKey.namespace ? { namespace: providerKey.namespace } : {}),
            annotations,
          },
          ...(current.spec === undefined ? {} : { spec: current.spec }),
        },
        { ...call, fieldManager: specFieldManager, force: true },
      );
      countSyncWrite("up", current.kind);
    }
    o.tally.set(tallyKey, "synced");
    return {};
  }

  private async reconcileStatus(key: string, signal: AbortSignal): Promise<void> {
    const { o } = this;
    const providerKey = parseKey(key);
    const consumerKey = o.mapper.toConsumer(providerKey);
    if (consumerKey === undefined || !this.ours(consumerKey)) return;
    const upstream = this.providerObjects.get(providerKey.name, providerKey.namespace || undefined);
    const consumerKeyString = keyOf(consumerKey.name, consumerKey.namespace);
    if (upstream === undefined) {
      // Deleted on the provider: the spec side re-creates it or releases the finalizer.
      this.spec.queue.add(consumerKeyString);
      return;
    }
    if (upstream.metadata.annotations?.[konnectorKeys.clusterNamespace] !== o.clusterNamespace) {
      return; // not this consumer's: never touched
    }
    const downstream = this.consumerObjects.get(
      consumerKey.name,
      consumerKey.namespace || undefined,
    );
    if (downstream === undefined) {
      if (upstream.metadata.deletionTimestamp === undefined) {
        await o.provider.delete(objectRefOf(upstream), { signal }).catch(ignoreNotFound);
        this.log.info({ provider: key }, "deleted an orphaned provider copy");
      }
      return;
    }
    const annotations = {
      [konnectorKeys.providerNamespace]: providerKey.namespace,
      [konnectorKeys.providerUid]: upstream.metadata.uid ?? "",
    };
    if (Object.entries(annotations).some(([k, v]) => downstream.metadata.annotations?.[k] !== v)) {
      await o.consumer.patch(objectRefOf(downstream), { metadata: { annotations } }, { signal });
    }
    const patch = mergePatchBetween(downstream.status ?? {}, upstream.status ?? {});
    if (patch !== undefined) {
      const written = await o.consumer
        .patchStatus(objectRefOf(downstream), { status: patch }, { signal })
        .catch(ignoreNotFound);
      if (written !== undefined) countSyncWrite("down", downstream.kind);
    }
  }

  private upstreamAnnotations(
    downstream: KubeObject,
    consumerKey: ObjectKey,
  ): Record<string, string> {
    return {
      [konnectorKeys.clusterNamespace]: this.o.clusterNamespace,
      [konnectorKeys.consumerNamespace]: consumerKey.namespace,
      [konnectorKeys.consumerUid]: downstream.metadata.uid ?? "",
    };
  }

  private upstreamCopy(
    downstream: KubeObject,
    consumerKey: ObjectKey,
    providerKey: ObjectKey,
  ): KubeObject {
    const { o } = this;
    return copyFor(downstream, providerKey, {
      annotations: this.upstreamAnnotations(downstream, consumerKey),
      ...(o.mapper.ownedByClusterNamespace()
        ? {
            ownerReferences: [
              {
                apiVersion: "v1",
                kind: "Namespace",
                name: o.clusterNamespace,
                uid: o.clusterNamespaceUid,
              },
            ],
          }
        : {}),
    });
  }

  /**
   * Adds the finalizer to the cached object, written with the cached resourceVersion and without
   * reading it first (as client-go controllers update from their listers): a stale cache gets a
   * 409, which `requeueOnConflict` turns into another look once the informer caught up.
   */
  private async ensureFinalizer(object: KubeObject, signal: AbortSignal): Promise<KubeObject> {
    if (object.metadata.finalizers?.includes(konnectorKeys.syncerFinalizer)) return object;
    return this.o.consumer.update(
      {
        ...object,
        metadata: {
          ...object.metadata,
          finalizers: [...(object.metadata.finalizers ?? []), konnectorKeys.syncerFinalizer],
        },
      },
      { signal },
    );
  }

  private async removeFinalizer(object: KubeObject, signal: AbortSignal): Promise<void> {
    if (!object.metadata.finalizers?.includes(konnectorKeys.syncerFinalizer)) return;
    await updateWithRetry(
      this.o.consumer,
      objectRefOf(object),
      (current) => {
        const finalizers = current.metadata.finalizers ?? [];
        if (!finalizers.includes(konnectorKeys.syncerFinalizer)) return undefined;
        current.metadata.finalizers = finalizers.filter((f) => f !== konnectorKeys.syncerFinalizer);
        return current;
      },
      { signal },
    ).catch(ignoreNotFound);
  }
}

function keyOfObject(object: KubeObject): ObjectKey {
  return { namespace: object.metadata.namespace ?? "", name: object.metadata.name };
}
