import { canonicalJson } from "../core/canonical-json.js";
import type { KubeObject } from "../core/kube-object.js";

/** Metadata a copy never takes from its source: the server's and the source cluster's own. */
const serverFields = [
  "uid",
  "resourceVersion",
  "managedFields",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "ownerReferences",
  "finalizers",
  "creationTimestamp",
  "generation",
  "selfLink",
  "generateName",
] as const;

/**
 * A copy of an object for the other cluster (spec §4.5, §6.8): the server-set metadata, owner
 * references and finalizers cleared, `status` left out unless asked for, at the given name and
 * namespace, with extra annotations and labels merged in.
 */
export function copyFor(
  source: KubeObject,
  at: { name: string; namespace: string },
  extra: {
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
    ownerReferences?: Record<string, unknown>[];
    keepStatus?: boolean;
  } = {},
): KubeObject {
  const { status, ...rest } = source;
  const metadata: KubeObject["metadata"] = { ...source.metadata };
  for (const field of serverFields) delete metadata[field];
  metadata.name = at.name;
  if (at.namespace) metadata.namespace = at.namespace;
  else delete metadata.namespace;
  const annotations = dropKeys(source.metadata.annotations, "kcp.io/cluster");
  const labels = dropKeys(source.metadata.labels, "claimed.internal.apis.kcp.io");
  metadata.annotations = { ...annotations, ...extra.annotations };
  metadata.labels = { ...labels, ...extra.labels };
  if (Object.keys(metadata.annotations).length === 0) delete metadata.annotations;
  if (Object.keys(metadata.labels).length === 0) delete metadata.labels;
  if (extra.ownerReferences) metadata.ownerReferences = extra.ownerReferences;
  return {
    ...rest,
    metadata,
    ...(extra.keepStatus && status !== undefined ? { status } : {}),
  };
}

function dropKeys(
  map: Record<string, string> | undefined,
  containing: string,
): Record<string, string> {
  return Object.fromEntries(Object.entries(map ?? {}).filter(([k]) => !k.includes(containing)));
}

/**
 * The JSON merge patch (RFC 7386) that turns `from` into `to`: changed and new fields set, removed
 * ones `null`, objects compared recursively, arrays and scalars replaced whole. `undefined` when
 * they are equal.
 */
export function mergePatchBetween(from: unknown, to: unknown): unknown {
  if (!isPlainObject(from) || !isPlainObject(to)) {
    return canonicalJson(from) === canonicalJson(to) ? undefined : (to ?? null);
  }
  const patch: Record<string, unknown> = {};
  // A field set to `undefined` is absent, as in the JSON sent.
  for (const [key, value] of Object.entries(from)) {
    if (value !== undefined && to[key] === undefined) patch[key] = null;
  }
  for (const [key, value] of Object.entries(to)) {
    if (value === undefined) continue;
    const sub = mergePatchBetween(from[key], value);
    if (sub !== undefined) patch[key] = sub;
  }
  return Object.keys(patch).length === 0 ? undefined : patch;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
