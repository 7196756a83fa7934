import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { onboardConsumer, readConsumerIdentity } from "../backend/onboard-consumer.js";
import { onboardThroughRequest } from "./request-onboarding.js";
import { bindingShardKey, shardOf } from "../core/shard-of.js";
import type { KubeObject } from "../core/kube-object.js";
import { isReadable, shortRevision, type Snapshot } from "../core/snapshot.js";
import { applyProviderObjects } from "../kube/apply-provider-objects.js";
import type { KubeClient, ObjectRef } from "../kube/kube-client.js";
import { getOrUndefined, ignoreNotFound } from "../kube/not-found.js";
import { objectRefOf as refOf } from "../kube/object-ref-of.js";
import { retryOnConflict } from "../kube/retry-on-conflict.js";
import { loadFiles } from "../manifests/load-files.js";
import { bindingStatusYaml, type BindingObservation } from "../plan/binding-status.js";
import {
  apiServiceBindingDiffers,
  bindingLabel,
  consumerNamespace,
  consumerNamespaceObject,
  desiredBindings,
  desiredProviderObjects,
  kubeconfigSecretName,
  kubeconfigSecretObject,
  requestSpecDiffers,
  type DesiredBinding,
} from "../plan/desired-state.js";
import {
  adoptsForeignObject,
  desiredInventory,
  inventoryEntry,
  inventoryName,
  inventoryObject,
  readableInventory,
  sharedInventory,
  takeoverDue,
  inventoryRef,
  pruneCandidates,
  pruneDecision,
  prunedWith,
  type ObjectKey,
} from "../plan/inventory.js";
import { describeHandEdits, describeObject, diffManaged, handEdits } from "../plan/plan.js";
import {
  repositoryModel,
  type ModelBinding,
  type RepositoryModel,
} from "../plan/repository-model.js";
import type { ValidateReport } from "../report/validate-report.js";
import {
  clusterOfError,
  isUnreachableError,
  foreignInventories,
  messageOf,
  readInventory,
  serverCrd,
} from "./live-state.js";

export { inventoryRef };

/** How long another layout's inventory must go unrecorded before it is taken over: 10 minutes. */
export const defaultTakeoverAfterMs = 10 * 60_000;

/** A connected cluster, by name, as the composition root made it. */
export type ClusterClients = ReadonlyMap<string, KubeClient>;

export interface ReconcileOptions {
  snapshot: Snapshot;
  /** The validation of `snapshot`; a revision with errors is refused, nothing applied. */
  report: ValidateReport;
  /** The revision whose content this is (the last commit that touched more than `status/`). */
  revision: string;
  clients: ClusterClients;
  /**
   * Clusters of the repository that could not be connected, with why. Their bindings are held
   * back (their status says why, what exists stays), the other bindings are reconciled.
   */
  unreachable?: ReadonlyMap<string, string>;
  logger: Logger;
  /** Bindings reconciled at once. Default 8. */
  concurrency?: number;
  /**
   * How long an inventory of another layout (`--shards` changed) must go unrecorded by its own
   * replicas before this reconcile takes it over. Default {@link defaultTakeoverAfterMs}.
   */
  takeoverAfterMs?: number;
  /** How long to wait for each request's phase. Default 60 s. */
  requestTimeoutMs?: number;
  /**
   * How consumers are onboarded on their providers: `direct` (default) writes the cluster
   * namespace, ClusterBinding and kubeconfig as kube-bind's backend would; `request` asks a
   * running kube-bind backend with a BindableResourcesRequest (`--backend external`).
   */
  onboarding?: "direct" | "request";
  /**
   * With `--shards`: reconcile only the bindings of this shard (by {@link shardOf} of
   * `consumer/binding`), keep their own inventory, and write only their status files.
   */
  shard?: { index: number; count: number };
  /** Who onboards consumers: recorded in `backend.kube-bind.io/author`. Default `bindops`. */
  author?: string;
  now?: () => Date;
  signal?: AbortSignal;
}

export interface ReconcileResult {
  /** False when the revision did not validate: nothing was applied. */
  applied: boolean;
  /** Status files by path (`status/<consumer>/<binding>.yaml`), `null` for ones to delete. */
  statusFiles: Map<string, string | null>;
  /** Bindings whose request failed or could not be applied. */
  failed: string[];
  /** Objects deleted because git no longer has them. */
  pruned: string[];
  /** Clusters that could not be reached, with why: their bindings were held back. */
  unreachable: Map<string, string>;
  /** Hand edits of fields git sets that this reconcile reverted, one line per object. */
  reverted: string[];
}

/** Why a binding was not applied. */
interface Blocked {
  reason: string;
  message: string;
}

/**
 * The message a revision with validation errors is refused with, naming the first error's file
 * and line; `undefined` when it validates.
 */
export function refusalMessage(report: ValidateReport, revision: string): string | undefined {
  const errors = report.findings.filter((f) => f.severity === "error");
  const first = errors[0];
  if (!first) return undefined;
  const where = `${first.location.file}${first.location.line ? `:${first.location.line}` : ""}`;
  return `revision ${shortRevision(revision)} does not validate (${errors.length} errors; first: ${where}: ${first.message}); the last good revision stays applied`;
}

/**
 * One reconcile of a validated revision (DESIGN "apply", issue "the reconciler"): per provider,
 * the CRDs (adapted to its version) and templates; per (provider, consumer) the consumer's
 * onboarding; per binding the `APIServiceExportRequest`, awaited until `Succeeded` or `Failed`,
 * then on the consumer the kubeconfig Secret (copied from the provider at apply time, never
 * through git) and the `APIServiceBinding`. Objects from earlier revisions that git no longer has
 * are pruned by inventory; a suspended binding is left as it is. Fields git sets that were edited
 * by hand are reverted and reported (log and status). One failing binding, or an unreachable
 * cluster, never blocks the others. Returns the status files to commit.
 */
export async function reconcileOnce(options: ReconcileOptions): Promise<ReconcileResult> {
  const { logger, clients, revision } = options;
  const now = options.now ?? (() => new Date());
  const call = options.signal ? { signal: options.signal } : {};
  const documents = loadFiles(options.snapshot.files).documents;
  const whole = repositoryModel(documents);
  const { shard } = options;
  const inShard = (consumer: string, binding: string) =>
    shard === undefined || shardOf(bindingShardKey(consumer, binding), shard.count) === shard.index;
  const model = shard
    ? { ...whole, bindings: whole.bindings.filter((b) => inShard(b.consumer, b.name)) }
    : whole;
  const previous = previousStatus(options.snapshot, model.statusPath, inShard);
  const statusFiles = new Map<string, string | null>();
  const statusPath = (key: string) => `${model.statusPath}/${key}.yaml`;
  const write = (observation: BindingObservation) => {
    const key = `${observation.consumer}/${observation.binding}`;
    statusFiles.set(
      statusPath(key),
      bindingStatusYaml(observation, previous.get(statusPath(key)), now()),
    );
  };
  const unreachable = new Map(options.unreachable ?? []);
  const reverted: string[] = [];

  const refused = refusalMessage(options.report, revision);
  if (refused !== undefined) {
    logger.error(refused);
    for (const b of model.bindings) {
      // The status of the last good revision stays, with the refusal on top.
      write({
        consumer: b.consumer,
        binding: b.name,
        revision,
        suspended: false,
        blocked: { reason: "ValidationFailed", message: refused },
        exports: [],
        bound: false,
      });
    }
    return {
      applied: false,
      statusFiles,
      failed: model.bindings.map((b) => b.name),
      pruned: [],
      unreachable,
      reverted,
    };
  }

  const pass = new Pass(options, unreachable);
  await pass.applyProviders(model);
  const { clusterNamespaces, kubeconfigSecrets } = await pass.onboardConsumers(model);
  const { planned, unplanned } = desiredBindings(
    model,
    (provider, consumer) => clusterNamespaces.get(`${provider}/${consumer}`) ?? "",
    revision,
  );
  const failed: string[] = [];
  for (const u of unplanned) {
    failed.push(u.key);
    write({
      consumer: u.binding.consumer,
      binding: u.binding.name,
      revision,
      suspended: false,
      blocked: { reason: "TemplateNotFound", message: u.reason },
      exports: [],
      bound: false,
    });
  }

  // Bindings are independent: several at once, each failing on its own.
  const heldBack = new Set<string>();
  await forEachConcurrently(planned, options.concurrency ?? 8, async (desired) => {
    const log = logger.child({ binding: desired.key });
    const { provider, consumer } = desired.binding;
    if (desired.binding.suspend) {
      log.info("suspended: left as it is");
      write({
        consumer,
        binding: desired.binding.name,
        revision,
        suspended: true,
        exports: [],
        bound: false,
      });
      return;
    }
    const fail = (blocked: Blocked) => {
      failed.push(desired.key);
      write({
        consumer,
        binding: desired.binding.name,
        revision,
        suspended: false,
        blocked,
        exports: [],
        bound: false,
      });
    };
    const blocked = pass.blockedOf(provider, consumer);
    if (blocked) {
      heldBack.add(bindingLabel(desired.key));
      log.error(`binding ${desired.key} not applied: ${blocked.message}`);
      fail(blocked);
      return;
    }
    try {
      const shared = [
        pass.sharedEdits.get(`template ${provider}/${desired.binding.template}`),
        pass.sharedEdits.get(`secret ${provider}/${consumer}`),
      ].filter((line): line is string => line !== undefined);
      const observation = await reconcileBinding(
        desired,
        { provider: clients.get(provider)!, consumer: clients.get(consumer)! },
        options,
        log,
        (ns) => kubeconfigSecrets.get(ns),
      );
      const edits = [...shared, ...(observation.handEdits ?? [])];
      for (const edit of observation.handEdits ?? []) reverted.push(edit);
      if (!observation.bound) failed.push(desired.key);
      write({ ...observation, revision, ...(edits.length > 0 ? { handEdits: edits } : {}) });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const message = messageOf(error);
      log.error({ err: error }, `binding ${desired.key} could not be applied: ${message}`);
      if (pass.noteUnreachable(error)) {
        heldBack.add(bindingLabel(desired.key));
        fail(pass.blockedOf(provider, consumer) ?? { reason: "ApplyFailed", message });
        return;
      }
      fail({ reason: "ApplyFailed", message });
    }
  });

  // Status files of bindings git no longer has.
  for (const path of previous.keys()) {
    if (!statusFiles.has(path)) statusFiles.set(path, null);
  }
  const pruned = await pruneAndRecord(
    model,
    shard
      ? sharedInventory(whole, desiredInventory(model, planned))
      : desiredInventory(model, planned),
    heldBack,
    clients,
    unreachable,
    logger,
    {
      ...call,
      inventory: inventoryName(shard),
      shard,
      takeoverAfterMs: options.takeoverAfterMs,
    },
  );
  const sorted = new Map([...statusFiles].sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    applied: true,
    statusFiles: sorted,
    failed: failed.sort(),
    pruned,
    unreachable,
    reverted: [...pass.reverted, ...reverted].sort(),
  };
}

/** What one reconcile learns on the way: clusters that stopped answering, steps that failed. */
class Pass {
  /** Hand edits of providers' CRDs and templates reverted, one line per object. */
  readonly reverted: string[] = [];
  /**
   * The lines of hand edits reverted in what several bindings share: a template's, by
   * `template <provider>/<template>`; a consumer's kubeconfig Secret's, by
   * `secret <provider>/<consumer>`.
   */
  readonly sharedEdits = new Map<string, string>();
  /** Why a provider (its CRDs and templates) or a pair's onboarding failed. */
  private readonly blockedBy = new Map<string, Blocked>();
  private readonly call: { signal?: AbortSignal };

  constructor(
    private readonly options: ReconcileOptions,
    private readonly unreachable: Map<string, string>,
  ) {
    this.call = options.signal ? { signal: options.signal } : {};
  }

  /** Notes a cluster that stopped answering during the pass; false for any other failure. */
  noteUnreachable(error: unknown, cluster?: string): boolean {
    if (!isUnreachableError(error)) return false;
    const name = cluster ?? clusterOfError(error, this.options.clients);
    if (name === undefined) return false;
    this.unreachable.set(name, messageOf(error));
    return true;
  }

  /** Why a binding between these clusters cannot be applied in this pass, if it cannot. */
  blockedOf(provider: string, consumer: string): Blocked | undefined {
    for (const cluster of [provider, consumer]) {
      const why =
        this.unreachable.get(cluster) ??
        (this.options.clients.has(cluster) ? undefined : "not connected");
      if (why !== undefined) {
        return {
          reason: "ClusterUnreachable",
          message: `the binding is left as it is until cluster ${cluster} can be reached: ${why}`,
        };
      }
    }
    return this.blockedBy.get(provider) ?? this.blockedBy.get(`${provider}/${consumer}`);
  }

  /** Providers: CRDs and templates, labelled so the inventory can prune templates later. */
  async applyProviders(model: RepositoryModel): Promise<void> {
    const { clients, logger, revision } = this.options;
    for (const [provider, content] of desiredProviderObjects(model, revision)) {
      const client = clients.get(provider);
      if (!client || this.unreachable.has(provider)) continue;
      const log = logger.child({ cluster: provider });
      try {
        for (const object of [...content.crds, ...content.templates]) {
          await this.noteProviderEdits(provider, client, object, log);
        }
        await applyProviderObjects(client, [...content.crds, ...content.templates], {
          logger: log,
          force: true,
          ...this.call,
        });
      } catch (error) {
        if (this.options.signal?.aborted) throw error;
        if (!this.noteUnreachable(error, provider)) {
          this.blockedBy.set(provider, { reason: "ApplyFailed", message: messageOf(error) });
        }
        log.error({ err: error }, `the CRDs and templates of ${provider} could not be applied`);
      }
    }
  }

  private async noteProviderEdits(
    provider: string,
    client: KubeClient,
    object: KubeObject,
    log: Logger,
  ): Promise<void> {
    const crd = object.kind === "CustomResourceDefinition";
    const desired = crd ? await serverCrd(client, object, this.call) : object;
    const edits = await readHandEdits(client, desired, this.options.revision, this.call);
    if (edits === undefined) return;
    const line = `${provider}: ${edits}`;
    this.reverted.push(line);
    log.warn(`reverting a hand edit: ${line}`);
    if (!crd) this.sharedEdits.set(`template ${provider}/${object.metadata.name}`, line);
  }

  /**
   * Hand edits of the consumer's kubeconfig Secret of a provider, which every binding between the
   * two reads: found once, before any binding applies it, and reported in each one's status.
   */
  private async noteSecretEdits(
    binding: ModelBinding,
    providerSecret: { namespace: string; name: string },
  ): Promise<void> {
    const { clients, revision } = this.options;
    try {
      const source = await getOrUndefined(
        clients.get(binding.provider)!,
        { apiVersion: "v1", kind: "Secret", ...providerSecret },
        this.call,
      );
      const kubeconfig = (source?.data as { kubeconfig?: string } | undefined)?.kubeconfig;
      if (kubeconfig === undefined) return;
      const secret = kubeconfigSecretObject(
        {
          kubeconfigSecret: {
            namespace: consumerNamespace,
            name: kubeconfigSecretName(binding.provider),
          },
        },
        kubeconfig,
      );
      const edits = await readHandEdits(
        clients.get(binding.consumer)!,
        secret,
        revision,
        this.call,
      );
      if (edits === undefined) return;
      const line = `${binding.consumer}: ${edits}`;
      this.reverted.push(line);
      this.options.logger.warn(`reverting a hand edit: ${line}`);
      this.sharedEdits.set(`secret ${binding.provider}/${binding.consumer}`, line);
    } catch (error) {
      if (this.options.signal?.aborted) throw error;
      // Only the report is lost: applying the Secret meets the same failure and says so.
      this.options.logger.debug(
        { err: error },
        "the consumer's kubeconfig Secret was not compared",
      );
    }
  }

  /** Onboarding per (provider, consumer) pair the bindings use: each pair's cluster namespace. */
  async onboardConsumers(model: RepositoryModel): Promise<{
    clusterNamespaces: Map<string, string>;
    kubeconfigSecrets: Map<string, string>;
  }> {
    const { clients, logger } = this.options;
    const clusterNamespaces = new Map<string, string>();
    const kubeconfigSecrets = new Map<string, string>();
    for (const b of model.bindings) {
      const pair = `${b.provider}/${b.consumer}`;
      if (clusterNamespaces.has(pair) || this.blockedOf(b.provider, b.consumer)) continue;
      try {
        const identity = await readConsumerIdentity(
          clients.get(b.consumer)!,
          b.consumer,
          this.call,
        ).catch((error: unknown) => {
          this.noteUnreachable(error, b.consumer);
          throw error;
        });
        const author = this.options.author ?? "bindops";
        const onboarded = await (
          this.options.onboarding === "request"
            ? onboardThroughRequest(clients.get(b.provider)!, {
                consumer: b.consumer,
                identity,
                template: b.template,
                author,
                timeoutMs: this.options.requestTimeoutMs ?? 60_000,
                ...this.call,
              })
            : onboardConsumer(clients.get(b.provider)!, {
                identity,
                author,
                prettyName: b.consumer,
                ...this.call,
              })
        ).catch((error: unknown) => {
          this.noteUnreachable(error, b.provider);
          throw error;
        });
        clusterNamespaces.set(pair, onboarded.namespace);
        kubeconfigSecrets.set(onboarded.namespace, onboarded.kubeconfigSecret.name);
        await this.noteSecretEdits(b, onboarded.kubeconfigSecret);
      } catch (error) {
        if (this.options.signal?.aborted) throw error;
        if (!this.unreachable.has(b.provider) && !this.unreachable.has(b.consumer)) {
          this.blockedBy.set(pair, { reason: "OnboardingFailed", message: messageOf(error) });
        }
        logger.error(
          { err: error },
          `consumer ${b.consumer} could not be onboarded on ${b.provider}`,
        );
      }
    }
    return { clusterNamespaces, kubeconfigSecrets };
  }
}

async function reconcileBinding(
  desired: DesiredBinding,
  clusters: { provider: KubeClient; consumer: KubeClient },
  options: ReconcileOptions,
  log: Logger,
  secretNameIn: (clusterNamespace: string) => string | undefined,
): Promise<Omit<BindingObservation, "revision">> {
  const call = options.signal ? { signal: options.signal } : {};
  const { provider, consumer } = clusters;
  const handEditsSeen: string[] = [];
  const noteEdits = (cluster: string, live: KubeObject, desiredObject: KubeObject) => {
    const edits = handEdits(diffManaged(live, desiredObject), live, options.revision);
    if (edits.length === 0) return;
    const line = `${cluster}: ${describeHandEdits(refOf(desiredObject), edits)}`;
    log.warn(`reverting a hand edit: ${line}`);
    handEditsSeen.push(line);
  };
  const requestRef = refOf(desired.request);
  const live = await getOrUndefined(provider, requestRef, call);
  const replaced = live !== undefined && requestSpecDiffers(live, desired.request);
  if (replaced) {
    // A request's spec is immutable: a changed binding gets a new request and a new export.
    log.info("the binding changed: replacing its request and export");
    await deleteAndWait(provider, requestRef, call);
    await deleteAndWait(provider, { ...requestRef, kind: "APIServiceExport" }, call);
    const bindingRef = refOf(desired.apiServiceBinding);
    await deleteAndWait(consumer, bindingRef, call);
  } else if (live) {
    noteEdits(desired.binding.provider, live, desired.request);
  }
  await provider.apply(desired.request, { ...call, force: true });
  const status = await waitForPhase(provider, requestRef, options);
  const base = {
    consumer: desired.binding.consumer,
    binding: desired.binding.name,
    suspended: false,
    request: status,
  };
  if (status.phase !== "Succeeded") {
    log.warn(
      status.phase === "Failed"
        ? `request failed: ${status.terminalMessage ?? "no message"}`
        : `request still ${status.phase}`,
    );
    return { ...base, exports: [], bound: false, ...edited(handEditsSeen) };
  }

  // The consumer side, as `kubectl bind` leaves it.
  const providerSecret = await provider.get(
    {
      apiVersion: "v1",
      kind: "Secret",
      namespace: desired.request.metadata.namespace ?? "",
      name: secretNameIn(desired.request.metadata.namespace ?? "") ?? "kubeconfig",
    },
    call,
  );
  await consumer.apply(consumerNamespaceObject, call);
  const secret = kubeconfigSecretObject(
    desired,
    (providerSecret.data as { kubeconfig: string }).kubeconfig,
  );
  await consumer.apply(secret, { ...call, force: true });
  const bindingRef = refOf(desired.apiServiceBinding);
  const liveBinding = await getOrUndefined(consumer, bindingRef, call);
  if (liveBinding && apiServiceBindingDiffers(liveBinding, desired.apiServiceBinding)) {
    await deleteAndWait(consumer, bindingRef, call);
  } else if (liveBinding && !replaced) {
    noteEdits(desired.binding.consumer, liveBinding, desired.apiServiceBinding);
  }
  const applied = await consumer.apply(desired.apiServiceBinding, { ...call, force: true });
  const conditions =
    (
      applied.status as
        | { conditions?: { type: string; status: string; reason?: string; message?: string }[] }
        | undefined
    )?.conditions ?? [];
  // bindops's konnector reports `Synced` (with counts); kube-bind's only `Ready`.
  const ready =
    conditions.find((c) => c.type === "Synced") ?? conditions.find((c) => c.type === "Ready");
  log.info("bound");
  return {
    ...base,
    exports: [desired.request.metadata.name],
    bound: true,
    ...edited(handEditsSeen),
    ...(ready
      ? {
          synced: {
            status: ready.status as "True" | "False" | "Unknown",
            ...(ready.reason ? { reason: ready.reason } : {}),
            ...(ready.message ? { message: ready.message } : {}),
          },
        }
      : {}),
  };
}

function edited(lines: string[]): { handEdits?: string[] } {
  return lines.length > 0 ? { handEdits: lines } : {};
}

/** The hand edits of a live object that applying `desired` reverts, described; none: `undefined`. */
async function readHandEdits(
  client: KubeClient,
  desired: KubeObject,
  revision: string,
  call: { signal?: AbortSignal },
): Promise<string | undefined> {
  const live = await getOrUndefined(client, refOf(desired), call);
  if (!live) return undefined;
  const edits = handEdits(diffManaged(live, desired), live, revision);
  return edits.length > 0 ? describeHandEdits(refOf(desired), edits) : undefined;
}

async function waitForPhase(
  client: KubeClient,
  ref: ObjectRef,
  options: ReconcileOptions,
): Promise<{ phase: string; terminalMessage?: string }> {
  const deadline = Date.now() + (options.requestTimeoutMs ?? 60_000);
  for (;;) {
    const live = await client.get(ref, options.signal ? { signal: options.signal } : {});
    const status = (live.status ?? {}) as { phase?: string; terminalMessage?: string };
    const phase = status.phase ?? "Pending";
    if (phase === "Succeeded" || phase === "Failed" || Date.now() >= deadline) {
      return {
        phase,
        ...(status.terminalMessage ? { terminalMessage: status.terminalMessage } : {}),
      };
    }
    await sleep(250, undefined, options.signal ? { signal: options.signal } : {});
  }
}

/**
 * Deletes what an earlier revision applied and this one did not (by the inventory on each
 * cluster, see `pruneDecision`: never an object bindops does not own, whatever its labels say,
 * nor one of a binding held back this time), then records this revision's inventory. Clusters
 * that cannot be reached are left for the next reconcile.
 *
 * Inventories of another layout (`--shards` changed, or switched to or from one replica) are
 * taken over: what they list that falls into this one (`adoptsForeignObject`) is pruned or
 * recorded here like the rest, then struck from them, and an emptied one is deleted.
 */
async function pruneAndRecord(
  model: RepositoryModel,
  inventory: ReadonlyMap<string, ObjectKey[]>,
  heldBack: ReadonlySet<string>,
  clients: ReadonlyMap<string, KubeClient>,
  unreachable: Map<string, string>,
  logger: Logger,
  options: {
    signal?: AbortSignal;
    inventory: string;
    shard?: { index: number; count: number } | undefined;
    takeoverAfterMs?: number | undefined;
  },
): Promise<string[]> {
  const call = options.signal ? { signal: options.signal } : {};
  const pruned: string[] = [];
  for (const cluster of model.clusters.keys()) {
    const client = clients.get(cluster);
    if (!client || unreachable.has(cluster)) continue;
    try {
      const now = [...(inventory.get(cluster) ?? [])];
      const desired = new Set(now.map(inventoryEntry));
      const before = await readInventory(client, call, options.inventory);
      const candidates = new Map(pruneCandidates(before, now).map((k) => [inventoryEntry(k), k]));
      const live = new Map<string, KubeObject | undefined>();
      const readLive = async (key: ObjectKey) => {
        const entry = inventoryEntry(key);
        if (!live.has(entry)) live.set(entry, await getOrUndefined(client, key, call));
        return live.get(entry);
      };
      // What other layouts' inventories list and this one takes over, by inventory.
      const adopted = new Map<string, Set<string>>();
      const foreign = await foreignInventories(client, options.inventory, call);
      if (foreign === "forbidden") {
        logger.warn(
          `cluster ${cluster}: may not list the ConfigMaps of ${inventoryRef.namespace}: inventories of another layout (--shards changed) are not taken over`,
        );
      }
      const due = (f: KubeObject) =>
        takeoverDue(f, Date.now(), options.takeoverAfterMs ?? defaultTakeoverAfterMs);
      for (const old of foreign === "forbidden" ? [] : foreign.filter(due)) {
        const taken = await adoptFrom(old, desired, readLive, options.shard);
        for (const [entry, key] of taken) if (!desired.has(entry)) candidates.set(entry, key);
        if (taken.size > 0) adopted.set(old.metadata.name, new Set(taken.keys()));
      }
      for (const key of candidates.values()) {
        const decision = pruneDecision(await readLive(key), heldBack);
        if (decision === "keep") now.push(key);
        if (decision !== "prune") continue;
        for (const ref of [key, ...prunedWith(key)]) {
          await client.delete(ref, call).catch(ignoreNotFound);
        }
        pruned.push(`${cluster}: ${describeObject(key)}`);
        logger.info(`pruned ${key.kind} ${key.name} from ${cluster}: git no longer has it`);
      }
      if (now.length > 0 || before.length > 0 || adopted.size > 0) {
        await client.apply(
          { apiVersion: "v1", kind: "Namespace", metadata: { name: inventoryRef.namespace } },
          call,
        );
        await client.apply(inventoryObject(now, options.inventory, new Date()), {
          ...call,
          force: true,
        });
      }
      for (const [name, taken] of adopted) {
        await strikeFromInventory(client, name, taken, call);
        logger.info(`cluster ${cluster}: took ${taken.size} object(s) over from inventory ${name}`);
      }
    } catch (error) {
      if (call.signal?.aborted) throw error;
      if (!isUnreachableError(error)) throw error;
      unreachable.set(cluster, messageOf(error));
      logger.error({ err: error }, `cluster ${cluster}: pruning left for the next reconcile`);
    }
  }
  return pruned;
}

/**
 * The entries of a foreign inventory this one takes over: those it lists too, objects gone, and
 * those `adoptsForeignObject` gives this shard.
 */
async function adoptFrom(
  foreign: KubeObject,
  desired: ReadonlySet<string>,
  readLive: (key: ObjectKey) => Promise<KubeObject | undefined>,
  shard: { index: number; count: number } | undefined,
): Promise<Map<string, ObjectKey>> {
  const taken = new Map<string, ObjectKey>();
  for (const key of readableInventory(foreign) ?? []) {
    const entry = inventoryEntry(key);
    const object = desired.has(entry) ? undefined : await readLive(key);
    if (object === undefined || adoptsForeignObject(object, shard)) taken.set(entry, key);
  }
  return taken;
}

/**
 * Strikes the entries this inventory took over from another one, which other replicas may be
 * editing too (optimistic concurrency); deletes it once nothing is left in it.
 */
async function strikeFromInventory(
  client: KubeClient,
  name: string,
  taken: ReadonlySet<string>,
  call: { signal?: AbortSignal },
): Promise<void> {
  const ref = { ...inventoryRef, name };
  await retryOnConflict(
    async () => {
      const current = await getOrUndefined(client, ref, call);
      const listed = current && readableInventory(current);
      if (!current || !listed) return;
      const left = listed.filter((key) => !taken.has(inventoryEntry(key)));
      if (left.length === 0) {
        const { resourceVersion } = current.metadata;
        await client
          .delete(ref, { ...call, resourceVersion: resourceVersion! })
          .catch(ignoreNotFound);
        return;
      }
      // The rest as it was, when its own layout recorded it last included.
      await client.update({ ...current, data: inventoryObject(left, name).data }, call);
    },
    // Every shard strikes at once after a change of layout.
    { ...call, attempts: 20 },
  );
}

async function deleteAndWait(
  client: KubeClient,
  ref: ObjectRef,
  call: { signal?: AbortSignal },
): Promise<void> {
  await client.delete(ref, call).catch(ignoreNotFound);
  for (let i = 0; i < 100; i++) {
    if (!(await getOrUndefined(client, ref, call))) return;
    await sleep(200, undefined, call);
  }
}

async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/** The status files the snapshot has, by path (of the bindings `mine` accepts). */
function previousStatus(
  snapshot: Snapshot,
  statusPath: string,
  mine: (consumer: string, binding: string) => boolean,
): Map<string, string> {
  const result = new Map<string, string>();
  for (const [path, file] of snapshot.files) {
    const [consumer = "", name = ""] = path.slice(statusPath.length + 1).split("/");
    if (!mine(consumer, name.replace(/\.yaml$/, ""))) continue;
    if (path.startsWith(`${statusPath}/`) && isReadable(file)) {
      result.set(path, Buffer.from(file).toString("utf8"));
    }
  }
  return result;
}
