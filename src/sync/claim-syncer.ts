import type { Logger } from "pino";
import { canonicalJson } from "../core/canonical-json.js";
import { kubeBindKeys, konnectorKeys } from "../core/kube-bind-objects.js";
import { Controller } from "../kube/controller.js";
import type { Informer } from "../kube/informer.js";
import { MultiNamespaceInformer, type InformerFactory } from "../kube/informer-factory.js";
import type { KubeClient, KubeObject } from "../kube/kube-client.js";
import { ignoreNotFound } from "../kube/not-found.js";
import { keyOf, objectKey } from "../kube/object-cache.js";
import { objectRefOf } from "../kube/object-ref-of.js";
import { allowsDirection, isClaimed, referencedKeys, type AcceptedClaim } from "./claim-match.js";
import type { NamespaceMapping } from "./isolation.js";
import { parseKey } from "./isolation.js";
import { copyFor } from "./object-copies.js";
import type { SyncTally } from "./sync-tally.js";
import { requeueOnConflict } from "./requeue-on-conflict.js";
import { countSyncWrite, type SyncDirection } from "./sync-writes.js";

/** An exported kind whose consumer objects claims may reference. */
export interface ReferencedKind {
  group: string;
  resource: string;
  apiVersion: string;
  kind: string;
}

export interface ClaimSyncerOptions {
  /** The export (and APIServiceBinding) the claim belongs to. */
  exportName: string;
  /** `<export>/claim/<resource>.<group>`, for logs and the tally. */
  name: string;
  consumer: KubeClient;
  provider: KubeClient;
  consumerInformers: InformerFactory;
  providerInformers: InformerFactory;
  /** The claimed kind (a core/v1 kind today). */
  apiVersion: string;
  kind: string;
  claim: AcceptedClaim;
  referencedKinds: readonly ReferencedKind[];
  namespaces: NamespaceMapping;
  /** Provider namespaces to watch: `"all"` (informer scope `Cluster`) or those mapped now. */
  providerNamespaces: () => Iterable<string> | "all";
  serviceNamespaces: Informer;
  /** Asks the backend for a provider namespace for a consumer namespace. */
  ensureServiceNamespace: (consumerNamespace: string, signal: AbortSignal) => Promise<void>;
  tally: SyncTally;
  logger: Logger;
}

const owner = kubeBindKeys.ownerLabel;

/** One consumer key as both clusters have it. */
interface Pair {
  key: string;
  tallyKey: string;
  namespace: string;
  name: string;
  providerNamespace: string | undefined;
  downstream: KubeObject | undefined;
  upstream: KubeObject | undefined;
  /** The provider object is this binding's copy of the consumer object (or of one now gone). */
  upstreamIsCopy: boolean;
  /** The consumer object is this binding's copy of the provider object (or of one now gone). */
  downstreamIsCopy: boolean;
}

/**
 * On every claimed copy: the export (and binding) whose claim made it. A copy made under another
 * binding's claim is not this syncer's to update or delete; a copy without it (made by kube-bind's
 * konnector) is taken over.
 */
export const claimedBy = "bindops.dev/claimed-by";

/**
 * Syncs the objects one accepted claim selects (spec §4.5), and nothing else: each key is judged
 * afresh against the claim on every reconcile, so an object that stops matching (its label
 * removed, the claim narrowed or withdrawn) stops syncing and its copy is deleted. The owner
 * decides the direction — consumer objects go up, objects the provider created for the consumer
 * come down — and only in a direction the binding consented to. A copy is recognised by the uid of
 * its source in its annotations; two unrelated objects of the same name on both sides are a
 * conflict and neither is touched.
 */
export class ClaimSyncer {
  private readonly consumerObjects: MultiNamespaceInformer;
  private readonly providerObjects: MultiNamespaceInformer;
  private readonly referencing: { kind: ReferencedKind; informer: Informer }[];
  private readonly controller: Controller;
  private readonly log: Logger;
  private readonly unsubscribe: () => void;
  private claim: AcceptedClaim | undefined;

  constructor(private readonly o: ClaimSyncerOptions) {
    this.log = o.logger.child({ syncer: o.name });
    this.claim = o.claim;
    const query = { apiVersion: o.apiVersion, kind: o.kind };
    this.consumerObjects = new MultiNamespaceInformer(o.consumerInformers, query);
    this.consumerObjects.setNamespaces(o.claim.namespaces ?? "all");
    this.providerObjects = new MultiNamespaceInformer(o.providerInformers, query);
    this.providerObjects.setNamespaces(o.providerNamespaces());
    this.unsubscribe = o.serviceNamespaces.addEventHandler({
      onAdd: () => this.providerObjects.setNamespaces(o.providerNamespaces()),
      onUpdate: () => this.providerObjects.setNamespaces(o.providerNamespaces()),
      onDelete: () => this.providerObjects.setNamespaces(o.providerNamespaces()),
    });
    this.referencing = o.referencedKinds.map((kind) => ({
      kind,
      informer: o.consumerInformers.acquire({ apiVersion: kind.apiVersion, kind: kind.kind }),
    }));
    this.controller = new Controller({
      name: `claims ${o.name}`,
      logger: this.log,
      stopInformers: false,
      sources: [
        { informer: this.consumerObjects },
        { informer: this.providerObjects, keysFor: (p) => this.consumerKeysOf(p) },
        ...this.referencing.map(({ kind, informer }) => ({
          informer,
          keysFor: (from: KubeObject) => [
            ...(this.claim ? referencedKeys(this.claim, from, kind) : []),
            ...this.copyKeys(),
          ],
        })),
        {
          informer: o.serviceNamespaces,
          keysFor: (sn: KubeObject) => this.consumerObjects.list(sn.metadata.name).map(objectKey),
        },
      ],
      reconcile: requeueOnConflict((key, { signal }) => this.reconcile(key, signal)),
    });
  }

  async start(): Promise<void> {
    await this.controller.start();
  }

  /** Takes a changed claim (narrowed or widened) and looks at every object again. */
  update(claim: AcceptedClaim): void {
    if (canonicalJson(claim) === canonicalJson(this.claim)) return;
    this.claim = claim;
    this.consumerObjects.setNamespaces(claim.namespaces ?? "all");
    this.enqueueAll();
  }

  /**
   * The claim was withdrawn: every copy it made is deleted (the sources are left as they are),
   * then the syncer stops.
   */
  async retire(signal: AbortSignal): Promise<void> {
    this.claim = undefined;
    const keys = new Set([...this.consumerObjects.list().map(objectKey), ...this.copyKeys()]);
    for (const key of keys) {
      try {
        await this.reconcile(key, signal);
      } catch (error) {
        this.log.warn(
          { err: error, object: key },
          "could not remove the copy of a withdrawn claim",
        );
      }
    }
    await this.stop();
  }

  /** True once stopped: a start that fails after this is no error. */
  stopped = false;

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    await this.controller.stop();
    await Promise.all([this.consumerObjects.stop(), this.providerObjects.stop()]);
    await Promise.all(this.referencing.map((r) => this.o.consumerInformers.release(r.informer)));
    this.o.tally.forgetPrefix(`${this.o.name} `);
  }

  private enqueueAll(): void {
    for (const key of this.consumerObjects.list().map(objectKey)) this.controller.queue.add(key);
    for (const key of this.copyKeys()) this.controller.queue.add(key);
  }

  /** Consumer keys of every object that is a copy on either side. */
  private copyKeys(): string[] {
    const fromProvider = this.providerObjects.list().flatMap((p) => this.consumerKeysOf(p));
    const onConsumer = this.consumerObjects
      .list()
      .filter((c) => c.metadata.annotations?.[konnectorKeys.providerUid] !== undefined)
      .map(objectKey);
    return [...fromProvider, ...onConsumer];
  }

  private consumerKeysOf(provider: KubeObject): string[] {
    const namespace = this.o.namespaces.consumerNamespace(provider.metadata.namespace ?? "");
    return namespace === undefined ? [] : [keyOf(provider.metadata.name, namespace)];
  }

  private claimedHere(
    way: "ConsumerToProvider" | "ProviderToConsumer",
    object: KubeObject,
    namespace: string,
  ): boolean {
    const claim = this.claim;
    if (claim === undefined || !allowsDirection(claim, way)) return false;
    const referencing = (group: string, resource: string) =>
      this.referencing
        .find((r) => r.kind.group === group && r.kind.resource === resource)
        ?.informer.list() ?? [];
    return isClaimed(
      claim,
      {
        name: object.metadata.name,
        namespace,
        ...(object.metadata.labels ? { labels: object.metadata.labels } : {}),
      },
      referencing,
    );
  }

  /** The object of a consumer key on both sides, and which of them is a copy of the other. */
  private pairOf(key: string): Pair {
    const { namespace, name } = parseKey(key);
    const downstream = this.consumerObjects.get(name, namespace || undefined);
    const providerNamespace = this.o.namespaces.providerNamespace(namespace);
    const upstream =
      providerNamespace === undefined
        ? undefined
        : this.providerObjects.get(name, providerNamespace);
    const isCopyOf = (copy: KubeObject | undefined, uidKey: string, source?: KubeObject) =>
      copy !== undefined &&
      copy.metadata.annotations?.[uidKey] !== undefined &&
      (copy.metadata.annotations[claimedBy] ?? this.o.exportName) === this.o.exportName &&
      (source === undefined || copy.metadata.annotations[uidKey] === source.metadata.uid);
    return {
      key,
      tallyKey: `${this.o.name} ${this.o.kind} ${key}`,
      namespace,
      name,
      providerNamespace,
      downstream,
      upstream,
      upstreamIsCopy: isCopyOf(upstream, konnectorKeys.consumerUid, downstream),
      downstreamIsCopy: isCopyOf(downstream, konnectorKeys.providerUid, upstream),
    };
  }

  private async reconcile(key: string, signal: AbortSignal): Promise<{ requeueAfter?: number }> {
    const pair = this.pairOf(key);
    const { downstream, upstream, upstreamIsCopy, downstreamIsCopy } = pair;
    if (downstream && upstream && !upstreamIsCopy && !downstreamIsCopy) {
      this.o.tally.set(
        pair.tallyKey,
        "conflicted",
        "exists on both clusters and neither is a copy of the other",
      );
      return {};
    }
    // Consumer-owned: the consumer's object, or a copy on the provider whose source is gone.
    if ((downstream && !downstreamIsCopy) || (!downstream && upstreamIsCopy)) {
      return this.syncUp(pair, signal);
    }
    // Provider-owned: the provider's object, or a copy on the consumer whose source is gone.
    await this.syncDown(pair, signal);
    return {};
  }

  private async syncUp(pair: Pair, signal: AbortSignal): Promise<{ requeueAfter?: number }> {
    const { o } = this;
    const call = { signal };
    const { downstream, upstream, namespace, providerNamespace, tallyKey } = pair;
    const claimed =
      downstream !== undefined && this.claimedHere("ConsumerToProvider", downstream, namespace);
    if (!claimed || downstream === undefined) {
      if (pair.upstreamIsCopy && upstream !== undefined) {
        await o.provider.delete(objectRefOf(upstream), call).catch(ignoreNotFound);
        this.log.info(
          { object: pair.key },
          "removed the provider copy of an object no longer claimed",
        );
      }
      if (downstream?.metadata.labels?.[owner] === "consumer") {
        await o.consumer
          .patch(objectRefOf(downstream), { metadata: { labels: { [owner]: null } } }, call)
          .catch(ignoreNotFound);
      }
      o.tally.forget(tallyKey);
      return {};
    }
    if (providerNamespace === undefined) {
      await o.ensureServiceNamespace(namespace, signal);
      o.tally.set(tallyKey, "pending", "waiting for the provider to assign a namespace");
      return { requeueAfter: 1_000 };
    }
    if (!this.providerObjects.hasSynced(providerNamespace)) {
      o.tally.set(tallyKey, "pending", "waiting for the provider's objects to be read");
      return { requeueAfter: 1_000 };
    }
    if (downstream.metadata.labels?.[owner] !== "consumer") {
      await o.consumer.patch(
        objectRefOf(downstream),
        { metadata: { labels: { [owner]: "consumer" } } },
        call,
      );
    }
    const candidate = copyFor(
      downstream,
      { namespace: providerNamespace, name: pair.name },
      {
        annotations: {
          [konnectorKeys.consumerNamespace]: namespace,
          [konnectorKeys.consumerUid]: downstream.metadata.uid ?? "",
          [claimedBy]: o.exportName,
        },
        labels: { [owner]: "consumer" },
      },
    );
    await this.write(o.provider, "up", candidate, upstream, signal);
    o.tally.set(tallyKey, "synced");
    return {};
  }

  private async syncDown(pair: Pair, signal: AbortSignal): Promise<void> {
    const { o } = this;
    const call = { signal };
    const { downstream, upstream, namespace, tallyKey } = pair;
    const claimed =
      upstream !== undefined &&
      upstream.metadata.deletionTimestamp === undefined &&
      this.claimedHere("ProviderToConsumer", upstream, namespace);
    if (!claimed || upstream === undefined) {
      if (pair.downstreamIsCopy && downstream !== undefined) {
        await o.consumer.delete(objectRefOf(downstream), call).catch(ignoreNotFound);
        this.log.info(
          { object: pair.key },
          "removed the consumer copy of an object no longer claimed",
        );
      }
      o.tally.forget(tallyKey);
      return;
    }
    if (upstream.metadata.labels?.[owner] !== "provider") {
      await o.provider.patch(
        objectRefOf(upstream),
        { metadata: { labels: { [owner]: "provider" } } },
        call,
      );
    }
    const candidate = copyFor(
      upstream,
      { namespace, name: pair.name },
      {
        annotations: {
          [konnectorKeys.providerNamespace]: pair.providerNamespace ?? "",
          [konnectorKeys.providerUid]: upstream.metadata.uid ?? "",
          [claimedBy]: o.exportName,
        },
        labels: { [owner]: "provider" },
      },
    );
    await this.write(o.consumer, "down", candidate, downstream, signal);
    o.tally.set(tallyKey, "synced");
  }

  /** Creates the copy, or replaces the existing one when it differs (data, labels, annotations). */
  private async write(
    client: KubeClient,
    direction: SyncDirection,
    candidate: KubeObject,
    existing: KubeObject | undefined,
    signal: AbortSignal,
  ): Promise<void> {
    if (existing === undefined) {
      // Created meanwhile? The 409 makes the reconcile look again with fresh caches.
      await client.create(candidate, { signal });
      countSyncWrite(direction, candidate.kind);
      return;
    }
    const same =
      canonicalJson(
        copyFor(existing, {
          namespace: existing.metadata.namespace ?? "",
          name: existing.metadata.name,
        }),
      ) === canonicalJson(candidate);
    if (same) return;
    await client.update(
      {
        ...candidate,
        metadata: { ...candidate.metadata, resourceVersion: existing.metadata.resourceVersion! },
      },
      { signal },
    );
    countSyncWrite(direction, candidate.kind);
  }
}
