import type { KubeObject } from "../core/kube-object.js";
import { bindingShardKey, shardOf } from "../core/shard-of.js";
import {
  bindopsKeys,
  consumerNamespace,
  kubeconfigSecretName,
  kubeconfigSecretObject,
  type DesiredBinding,
} from "./desired-state.js";
import type { RepositoryModel } from "./repository-model.js";

/** Names one object: what an inventory lists. */
export interface ObjectKey {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** Where bindops keeps the inventory of what it applied, on every cluster it applies to. */
export const inventoryRef = {
  apiVersion: "v1",
  kind: "ConfigMap",
  namespace: "bindops-system",
  name: "bindops-inventory",
} as const;

/**
 * The inventory's name: `bindops-inventory`, or with `--shards` one per shard,
 * `bindops-inventory-shard-<i>-of-<n>`, so that replicas never write each other's.
 */
export function inventoryName(shard?: { index: number; count: number }): string {
  return shard ? `${inventoryRef.name}-shard-${shard.index}-of-${shard.count}` : inventoryRef.name;
}

const inventoryNamePattern = /^bindops-inventory(?:-shard-(\d+)-of-(\d+))?$/;

/**
 * Whether `name` is an inventory of another layout than `own` (`--shards` changed, or switched
 * to or from one replica): its objects were applied by bindops and must be taken over, or they
 * would never be pruned. The other shards of one's own layout are not foreign.
 */
export function isForeignInventory(name: string, own: string): boolean {
  const found = inventoryNamePattern.exec(name);
  if (!found || name === own) return false;
  const mine = inventoryNamePattern.exec(own);
  return found[2] === undefined || mine?.[2] === undefined || found[2] !== mine[2];
}

/**
 * Whether a shard takes over an object a foreign inventory lists: one of a binding when the
 * binding (by its `bindops.dev/binding` label, `<consumer>.<binding>`) falls into the shard;
 * one shared by bindings (a template, a kubeconfig Secret) always, as every shard applies those.
 * Without shards, everything.
 */
export function adoptsForeignObject(
  live: KubeObject,
  shard: { index: number; count: number } | undefined,
): boolean {
  const label = live.metadata.labels?.[bindopsKeys.binding];
  if (shard === undefined || label === undefined) return true;
  const dot = label.indexOf(".");
  if (dot < 0) return true;
  const key = bindingShardKey(label.slice(0, dot), label.slice(dot + 1));
  return shardOf(key, shard.count) === shard.index;
}

/** When a reconcile last recorded an inventory: written at every pass, changed or not. */
export const recordedAtAnnotation = "bindops.dev/recorded-at";

/**
 * When the replicas of an inventory's own layout last recorded it (its `bindops.dev/recorded-at`;
 * for an inventory written before that, their last server-side apply), in ms since the epoch.
 * Another layout's edits that strike entries from it do not count.
 */
export function lastRecorded(inventory: KubeObject): number {
  const recorded = Date.parse(inventory.metadata.annotations?.[recordedAtAnnotation] ?? "");
  if (!Number.isNaN(recorded)) return recorded;
  const applies = (inventory.metadata.managedFields ?? [])
    .filter((f) => f.operation === "Apply" && f.time !== undefined)
    .map((f) => Date.parse(f.time!));
  const times =
    applies.length > 0 ? applies : [Date.parse(inventory.metadata.creationTimestamp ?? "")];
  return Math.max(...times.filter((t) => !Number.isNaN(t)), 0);
}

/**
 * Whether another layout's inventory is taken over now: once its own replicas have not recorded
 * it for `afterMs` (they are gone: a rolling update to the new layout is over). While they run,
 * they may be on an older revision, and what they apply must not be pruned by the new layout,
 * nor the new layout's objects by them.
 */
export function takeoverDue(inventory: KubeObject, nowMs: number, afterMs: number): boolean {
  return nowMs - lastRecorded(inventory) >= afterMs;
}

/** An inventory's entries; `undefined` when its list cannot be read (it is then left alone). */
export function readableInventory(inventory: KubeObject | undefined): ObjectKey[] | undefined {
  const text = (inventory?.data as { objects?: string } | undefined)?.objects;
  if (!text) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const isEntries = (v: unknown): v is string[] =>
    Array.isArray(v) && v.every((e) => typeof e === "string");
  if (!isEntries(parsed)) return undefined;
  return parsed.map((entry) => {
    const [apiVersion = "", kind = "", namespace = "", name = ""] = entry.split("|");
    return { apiVersion, kind, name, ...(namespace ? { namespace } : {}) };
  });
}

/** The key that names an object. */
export function objectKeyOf(object: KubeObject): ObjectKey {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name,
    ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
  };
}

/** `apiVersion|kind|namespace|name`: one inventory entry. */
export function inventoryEntry(key: ObjectKey): string {
  return [key.apiVersion, key.kind, key.namespace ?? "", key.name].join("|");
}

/** The objects a live inventory ConfigMap lists; none for a missing or unreadable one. */
export function parseInventory(inventory: KubeObject | undefined): ObjectKey[] {
  return readableInventory(inventory) ?? [];
}

/**
 * The inventory ConfigMap that lists `keys`; with `recordedAt`, when this reconcile recorded it
 * (so that another layout sees the replicas of this one still run, `takeoverDue`).
 */
export function inventoryObject(
  keys: readonly ObjectKey[],
  name: string = inventoryRef.name,
  recordedAt?: Date,
): KubeObject {
  return {
    apiVersion: inventoryRef.apiVersion,
    kind: inventoryRef.kind,
    metadata: {
      name,
      namespace: inventoryRef.namespace,
      labels: { [bindopsKeys.managedBy]: "bindops" },
      ...(recordedAt ? { annotations: { [recordedAtAnnotation]: recordedAt.toISOString() } } : {}),
    },
    data: { objects: JSON.stringify(keys.map(inventoryEntry).sort(), null, 1) },
  };
}

/**
 * What a reconcile of `model` records in each cluster's inventory: the providers' templates, and
 * for every binding git has and can plan (suspended, failing or pending ones too: only what git
 * no longer has is pruned) its request, its APIServiceBinding and the kubeconfig Secret it reads.
 * A request whose cluster namespace is unknown (its provider or consumer could not be reached) is
 * left out: the binding is held back, and {@link pruneDecision} keeps what it has. CRDs are never
 * listed, so never pruned: deleting one deletes every object of its kind.
 */
export function desiredInventory(
  model: RepositoryModel,
  planned: readonly DesiredBinding[],
): Map<string, ObjectKey[]> {
  const inventory = new Map<string, Map<string, ObjectKey>>();
  const add = (cluster: string, object: KubeObject) => {
    const keys = inventory.get(cluster) ?? new Map<string, ObjectKey>();
    const key = objectKeyOf(object);
    keys.set(inventoryEntry(key), key);
    inventory.set(cluster, keys);
  };
  for (const [provider, content] of model.providers) {
    for (const template of content.templates.values()) add(provider, template);
  }
  for (const desired of planned) {
    if (desired.request.metadata.namespace) add(desired.binding.provider, desired.request);
    add(desired.binding.consumer, desired.apiServiceBinding);
    add(desired.binding.consumer, kubeconfigSecretObject(desired));
  }
  return new Map([...inventory].map(([cluster, keys]) => [cluster, [...keys.values()]]));
}

/**
 * With `--shards`: the objects bindings of other shards share with this one's, which this shard
 * must not prune though none of its own bindings uses them any more: each consumer's kubeconfig
 * Secret of a provider, used by every binding of that pair.
 */
export function sharedInventory(
  whole: RepositoryModel,
  inventory: ReadonlyMap<string, ObjectKey[]>,
): Map<string, ObjectKey[]> {
  const result = new Map([...inventory].map(([cluster, keys]) => [cluster, [...keys]]));
  for (const binding of whole.bindings) {
    const key: ObjectKey = {
      apiVersion: "v1",
      kind: "Secret",
      namespace: consumerNamespace,
      name: kubeconfigSecretName(binding.provider),
    };
    const keys = result.get(binding.consumer) ?? [];
    if (!keys.some((k) => inventoryEntry(k) === inventoryEntry(key))) keys.push(key);
    result.set(binding.consumer, keys);
  }
  return result;
}

/** What an earlier inventory lists and the new one does not: the objects to consider pruning. */
export function pruneCandidates(
  before: readonly ObjectKey[],
  now: readonly ObjectKey[],
): ObjectKey[] {
  const keep = new Set(now.map(inventoryEntry));
  return before.filter((key) => !keep.has(inventoryEntry(key)));
}

/**
 * What a reconcile does with an object an earlier inventory lists and the new one does not:
 * `gone` when it no longer exists; `not-ours` when it lacks bindops's managed-by label (with the
 * inventory, the label says bindops applied it; the label alone never does, as anyone can set
 * it); `keep` when it belongs to a binding that is held back this time (its cluster could not be
 * reached: it stays, and stays in the inventory); else `prune`.
 */
export function pruneDecision(
  live: KubeObject | undefined,
  heldBack: ReadonlySet<string> = new Set(),
): "gone" | "not-ours" | "keep" | "prune" {
  if (!live) return "gone";
  const labels = live.metadata.labels ?? {};
  if (labels[bindopsKeys.managedBy] !== "bindops") return "not-ours";
  const binding = labels[bindopsKeys.binding];
  return binding !== undefined && heldBack.has(binding) ? "keep" : "prune";
}

/** What goes with a pruned object: the export the backend made for a request. */
export function prunedWith(key: ObjectKey): ObjectKey[] {
  return key.kind === "APIServiceExportRequest" ? [{ ...key, kind: "APIServiceExport" }] : [];
}
