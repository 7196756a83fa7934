import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { onboardConsumer } from "../backend/onboard-consumer.js";
import type { KubeObject } from "../core/kube-object.js";
import { isReadable, type Snapshot } from "../core/snapshot.js";
import { applyProviderObjects } from "../kube/apply-provider-objects.js";
import type { KubeClient, ObjectRef } from "../kube/kube-client.js";
import { getOrUndefined, ignoreNotFound } from "../kube/not-found.js";
import { objectRefOf as refOf } from "../kube/object-ref-of.js";
import { loadFiles } from "../manifests/load-files.js";
import { bindingStatusYaml, type BindingObservation } from "../plan/binding-status.js";
import {
  bindopsKeys,
  consumerNamespace,
  desiredBindings,
  requestSpecDiffers,
  type DesiredBinding,
} from "../plan/desired-state.js";
import { repositoryModel, type RepositoryModel } from "../plan/repository-model.js";
import type { ValidateReport } from "../report/validate-report.js";

/** A connected cluster, by name, as the composition root made it. */
export type ClusterClients = ReadonlyMap<string, KubeClient>;

export interface ReconcileOptions {
  snapshot: Snapshot;
  /** The validation of `snapshot`; a revision with errors is refused, nothing applied. */
  report: ValidateReport;
  /** The revision whose content this is (the last commit that touched more than `status/`). */
  revision: string;
  clients: ClusterClients;
  logger: Logger;
  /** Bindings reconciled at once. Default 8. */
  concurrency?: number;
  /** How long to wait for each request's phase. Default 60 s. */
  requestTimeoutMs?: number;
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
}

/** Where bindops keeps the inventory of what it applied, on every cluster it applies to. */
export const inventoryRef = {
  apiVersion: "v1",
  kind: "ConfigMap",
  namespace: "bindops-system",
  name: "bindops-inventory",
} as const;

/**
 * One reconcile of a validated revision (DESIGN "apply", issue "the reconciler"): per provider,
 * the CRDs (adapted to its version) and templates; per (provider, consumer) the consumer's
 * onboarding; per binding the `APIServiceExportRequest`, awaited until `Succeeded` or `Failed`,
 * then on the consumer the kubeconfig Secret (copied from the provider at apply time, never
 * through git) and the `APIServiceBinding`. Objects from earlier revisions that git no longer has
 * are pruned by inventory; a suspended binding is left as it is. One failing binding never blocks
 * the others. Returns the status files to commit.
 */
export async function reconcileOnce(options: ReconcileOptions): Promise<ReconcileResult> {
  const { logger, clients, revision } = options;
  const now = options.now ?? (() => new Date());
  const call = options.signal ? { signal: options.signal } : {};
  const documents = loadFiles(options.snapshot.files).documents;
  const model = repositoryModel(documents);
  const previous = previousStatus(options.snapshot, model.statusPath);
  const statusFiles = new Map<string, string | null>();
  const statusPath = (key: string) => `${model.statusPath}/${key}.yaml`;
  const write = (observation: BindingObservation) => {
    const key = `${observation.consumer}/${observation.binding}`;
    statusFiles.set(
      statusPath(key),
      bindingStatusYaml(observation, previous.get(statusPath(key)), now()),
    );
  };

  const errors = options.report.findings.filter((f) => f.severity === "error");
  if (errors.length > 0) {
    const first = errors[0]!;
    const where = `${first.location.file}${first.location.line ? `:${first.location.line}` : ""}`;
    const message = `revision ${revision.slice(0, 12)} does not validate (${errors.length} errors; first: ${where}: ${first.message}); the last good revision stays applied`;
    logger.error(message);
    for (const b of model.bindings) {
      // The status of the last good revision stays, with the refusal on top.
      write({
        consumer: b.consumer,
        binding: b.name,
        revision,
        suspended: false,
        blocked: { reason: "ValidationFailed", message },
        exports: [],
        bound: false,
      });
    }
    return { applied: false, statusFiles, failed: model.bindings.map((b) => b.name), pruned: [] };
  }

  const clientOf = (cluster: string): KubeClient => {
    const client = clients.get(cluster);
    if (!client) throw new Error(`no connection to cluster ${cluster}`);
    return client;
  };
  const applied = new Map<string, ObjectRef[]>();
  const remember = (cluster: string, object: KubeObject) => {
    const list = applied.get(cluster) ?? [];
    list.push(refOf(object));
    applied.set(cluster, list);
  };

  // Providers: CRDs and templates, labelled so the inventory can prune templates later.
  for (const [provider, content] of model.providers) {
    const client = clientOf(provider);
    const templates = [...content.templates.values()].map((t) => managed(t, revision));
    await applyProviderObjects(client, [...content.crds, ...templates], {
      logger: logger.child({ cluster: provider }),
      force: true,
      ...call,
    });
    templates.forEach((t) => remember(provider, t));
  }

  // Onboarding per (provider, consumer) pair the bindings use.
  const clusterNamespaces = new Map<string, string>();
  const kubeconfigSecrets = new Map<string, string>();
  for (const b of model.bindings) {
    const pair = `${b.provider}/${b.consumer}`;
    if (clusterNamespaces.has(pair)) continue;
    const consumer = clientOf(b.consumer);
    const kubeSystem = await consumer.get(
      { apiVersion: "v1", kind: "Namespace", name: "kube-system" },
      call,
    );
    const onboarded = await onboardConsumer(clientOf(b.provider), {
      identity: kubeSystem.metadata.uid ?? b.consumer,
      author: options.author ?? "bindops",
      prettyName: b.consumer,
      ...call,
    });
    clusterNamespaces.set(pair, onboarded.namespace);
    kubeconfigSecrets.set(onboarded.namespace, onboarded.kubeconfigSecret.name);
  }
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
  await forEachConcurrently(planned, options.concurrency ?? 8, async (desired) => {
    const log = logger.child({ binding: desired.key });
    if (desired.binding.suspend) {
      log.info("suspended: left as it is");
      remember(desired.binding.provider, desired.request);
      remember(desired.binding.consumer, desired.apiServiceBinding);
      write({
        consumer: desired.binding.consumer,
        binding: desired.binding.name,
        revision,
        suspended: true,
        exports: [],
        bound: false,
      });
      return;
    }
    try {
      // Everything a planned binding may have applied stays in the inventory whatever this pass
      // achieves: only what git no longer has is pruned.
      remember(desired.binding.provider, desired.request);
      remember(desired.binding.consumer, desired.apiServiceBinding);
      remember(desired.binding.consumer, secretObject(desired));
      const observation = await reconcileBinding(desired, clientOf, options, log, (ns) =>
        kubeconfigSecrets.get(ns),
      );
      if (!observation.bound) failed.push(desired.key);
      write({ ...observation, revision });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      failed.push(desired.key);
      const message = error instanceof Error ? error.message : String(error);
      log.error({ err: error }, `binding ${desired.key} could not be applied: ${message}`);
      write({
        consumer: desired.binding.consumer,
        binding: desired.binding.name,
        revision,
        suspended: false,
        blocked: { reason: "ApplyFailed", message },
        exports: [],
        bound: false,
      });
    }
  });

  // Status files of bindings git no longer has.
  for (const path of previous.keys()) {
    if (!statusFiles.has(path)) statusFiles.set(path, null);
  }
  const pruned = await pruneAndRecord(model, applied, clientOf, logger, call);
  const sorted = new Map([...statusFiles].sort(([a], [b]) => (a < b ? -1 : 1)));
  return { applied: true, statusFiles: sorted, failed: failed.sort(), pruned };
}

async function reconcileBinding(
  desired: DesiredBinding,
  clientOf: (cluster: string) => KubeClient,
  options: ReconcileOptions,
  log: Logger,
  secretNameIn: (clusterNamespace: string) => string | undefined,
): Promise<Omit<BindingObservation, "revision">> {
  const call = options.signal ? { signal: options.signal } : {};
  const provider = clientOf(desired.binding.provider);
  const consumer = clientOf(desired.binding.consumer);
  const requestRef = refOf(desired.request);
  const live = await getOrUndefined(provider, requestRef, call);
  if (live && requestSpecDiffers(live, desired.request)) {
    // A request's spec is immutable: a changed binding gets a new request and a new export.
    log.info("the binding changed: replacing its request and export");
    await deleteAndWait(provider, requestRef, call);
    await deleteAndWait(provider, { ...requestRef, kind: "APIServiceExport" }, call);
    const bindingRef = refOf(desired.apiServiceBinding);
    await deleteAndWait(consumer, bindingRef, call);
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
    return { ...base, exports: [], bound: false };
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
  await consumer.apply(
    { apiVersion: "v1", kind: "Namespace", metadata: { name: consumerNamespace } },
    call,
  );
  await consumer.apply(
    {
      apiVersion: "v1",
      kind: "Secret",
      type: "Opaque",
      metadata: {
        name: desired.kubeconfigSecret.name,
        namespace: desired.kubeconfigSecret.namespace,
        labels: {
          "kube-bind.io/provider-kubeconfig": "true",
          [bindopsKeys.managedBy]: "bindops",
        },
      },
      data: { kubeconfig: (providerSecret.data as { kubeconfig: string }).kubeconfig },
    },
    { ...call, force: true },
  );
  const bindingRef = refOf(desired.apiServiceBinding);
  const liveBinding = await getOrUndefined(consumer, bindingRef, call);
  if (
    liveBinding &&
    JSON.stringify((liveBinding.spec as { kubeconfigSecretRef?: unknown }).kubeconfigSecretRef) !==
      JSON.stringify(
        (desired.apiServiceBinding.spec as { kubeconfigSecretRef: unknown }).kubeconfigSecretRef,
      )
  ) {
    await deleteAndWait(consumer, bindingRef, call);
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
 * cluster, and only objects that still carry bindops's managed-by label: never one bindops does
 * not own, whatever its labels say, since it must be in the inventory too), then records this
 * revision's inventory.
 */
async function pruneAndRecord(
  model: RepositoryModel,
  applied: ReadonlyMap<string, ObjectRef[]>,
  clientOf: (cluster: string) => KubeClient,
  logger: Logger,
  call: { signal?: AbortSignal },
): Promise<string[]> {
  const pruned: string[] = [];
  for (const cluster of model.clusters.keys()) {
    let client: KubeClient;
    try {
      client = clientOf(cluster);
    } catch {
      continue;
    }
    const now = applied.get(cluster) ?? [];
    const keep = new Set(now.map(refKey));
    const inventory = await getOrUndefined(client, inventoryRef, call);
    const before = parseInventory(inventory);
    for (const ref of before.filter((r) => !keep.has(refKey(r)))) {
      const live = await getOrUndefined(client, ref, call);
      if (!live || live.metadata.labels?.[bindopsKeys.managedBy] !== "bindops") continue;
      await client.delete(ref, call).catch(ignoreNotFound);
      if (ref.kind === "APIServiceExportRequest") {
        // The backend made the export for this request; it goes with it.
        await client.delete({ ...ref, kind: "APIServiceExport" }, call).catch(ignoreNotFound);
      }
      pruned.push(`${cluster}: ${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`);
      logger.info(`pruned ${ref.kind} ${ref.name} from ${cluster}: git no longer has it`);
    }
    if (now.length === 0 && before.length === 0) continue;
    await client.apply(
      { apiVersion: "v1", kind: "Namespace", metadata: { name: inventoryRef.namespace } },
      call,
    );
    await client.apply(
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name: inventoryRef.name,
          namespace: inventoryRef.namespace,
          labels: { [bindopsKeys.managedBy]: "bindops" },
        },
        data: { objects: JSON.stringify(now.map(refKey).sort(), null, 1) },
      },
      { ...call, force: true },
    );
  }
  return pruned;
}

function secretObject(desired: DesiredBinding): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: desired.kubeconfigSecret.name,
      namespace: desired.kubeconfigSecret.namespace,
    },
  };
}

function parseInventory(inventory: KubeObject | undefined): ObjectRef[] {
  const text = (inventory?.data as { objects?: string } | undefined)?.objects;
  if (!text) return [];
  try {
    return (JSON.parse(text) as string[]).map((key) => {
      const [apiVersion = "", kind = "", namespace = "", name = ""] = key.split("|");
      return { apiVersion, kind, name, ...(namespace ? { namespace } : {}) };
    });
  } catch {
    return [];
  }
}

function refKey(ref: ObjectRef): string {
  return [ref.apiVersion, ref.kind, ref.namespace ?? "", ref.name].join("|");
}

function managed(object: KubeObject, revision: string): KubeObject {
  return {
    ...object,
    metadata: {
      ...object.metadata,
      labels: { ...object.metadata.labels, [bindopsKeys.managedBy]: "bindops" },
      annotations: { ...object.metadata.annotations, [bindopsKeys.revision]: revision },
    },
  };
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

/** The status files the snapshot has, by path. */
function previousStatus(snapshot: Snapshot, statusPath: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const [path, file] of snapshot.files) {
    if (path.startsWith(`${statusPath}/`) && isReadable(file)) {
      result.set(path, Buffer.from(file).toString("utf8"));
    }
  }
  return result;
}
