import { canonicalJson } from "../core/canonical-json.js";
import { asRecord } from "../core/lenient.js";
import type { KubeObject } from "../core/kube-object.js";

/** One field where a live object and what bindops applies differ. */
export interface FieldChange {
  /** The field: `spec.description`, `metadata.labels["app"]`, `spec.versions[name=v1].served`. */
  path: string;
  /**
   * `add`: git sets a field the live object lacks; `change`: the values differ; `remove`: bindops
   * set the field before, git no longer does, and the next apply removes it.
   */
  op: "add" | "change" | "remove";
  /** The live value (absent for `add`). A Secret's data is never shown: `(secret)`. */
  live?: unknown;
  /** The value git asks for (absent for `remove`). A Secret's data is never shown. */
  desired?: unknown;
  /** Field managers other than bindops that set the live value: who edited it by hand. */
  changedBy?: string[];
}

/** Options of {@link fieldDiff}. */
export interface FieldDiffOptions {
  /** bindops's field manager. Default `bindops`. */
  manager?: string;
  /** Annotations that are not compared: bookkeeping that every apply moves. */
  ignoreAnnotations?: readonly string[];
}

/** What a Secret's data shows as in a diff. */
export const secretValue = "(secret)";

/** One entry of `metadata.managedFields`, as far as the diff reads it. */
interface ManagedFields {
  manager?: string;
  operation?: string;
  subresource?: string;
  fieldsV1?: unknown;
}

/** A field set of `fieldsV1` (`f:name`, `k:{...}`, `v:...`, `i:N`, `.`), or all of a subtree. */
type FieldSet = Record<string, unknown> | "all";

interface Owner {
  manager: string;
  set: FieldSet;
}

type Segment = { key: string } | { index: number; name?: string };

interface Walk {
  out: FieldChange[];
  secret: boolean;
  ignoredAnnotations: ReadonlySet<string>;
}

/**
 * The fields bindops manages where `live` differs from `desired`, the object bindops applies
 * (server-side apply: `desired` is bindops's whole intent). Every field `desired` sets is compared
 * (lists of named items by name, other lists by position; fields the server adds are not looked
 * at), and every field bindops set before (its `managedFields` entry) that `desired` no longer
 * sets and no other manager holds is a `remove`. Each change names the other field managers that
 * set the live value, from `managedFields`. `metadata.name` and `namespace` identify the object
 * and are not compared; a Secret's `data` and `stringData` values are never put in a change.
 */
export function fieldDiff(
  live: KubeObject,
  desired: KubeObject,
  options: FieldDiffOptions = {},
): FieldChange[] {
  const manager = options.manager ?? "bindops";
  const walk: Walk = {
    out: [],
    secret: desired.kind === "Secret",
    ignoredAnnotations: new Set(options.ignoreAnnotations ?? []),
  };
  const entries = Array.isArray(live.metadata.managedFields)
    ? (live.metadata.managedFields as ManagedFields[])
    : [];
  const others: Owner[] = [];
  let own: Record<string, unknown> | undefined;
  for (const entry of entries) {
    const set = asRecord(entry.fieldsV1);
    if (set === undefined || entry.subresource) continue;
    if (entry.manager === manager && entry.operation === "Apply") own = set;
    else others.push({ manager: entry.manager ?? "unknown", set });
  }
  const comparable = comparableFields(desired, walk);
  const liveComparable = comparableFields(live, walk);
  compare(walk, [], others, liveComparable, comparable);
  if (own) removed(walk, [], own, others, liveComparable, comparable);
  return walk.out;
}

/** Fields of an object's metadata that the server keeps, or that name the object. */
const serverMetadata = new Set([
  "name",
  "namespace",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "managedFields",
  "selfLink",
]);

/** The fields of an object that are compared: everything but its identity, status and bookkeeping. */
function comparableFields(object: KubeObject, walk: Walk): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (key !== "apiVersion" && key !== "kind" && key !== "status" && key !== "metadata") {
      fields[key] = value;
    }
  }
  const metadata: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object.metadata)) {
    if (!serverMetadata.has(key)) metadata[key] = value;
  }
  const annotations = asRecord(metadata.annotations);
  if (annotations) {
    const kept = Object.entries(annotations).filter(([key]) => !walk.ignoredAnnotations.has(key));
    if (kept.length > 0) metadata.annotations = Object.fromEntries(kept);
    else delete metadata.annotations;
  }
  return Object.keys(metadata).length > 0 ? { metadata, ...fields } : fields;
}

function compare(
  walk: Walk,
  path: Segment[],
  owners: Owner[],
  live: unknown,
  desired: unknown,
): void {
  if (desired === undefined || desired === null) return;
  const desiredRecord = asRecord(desired);
  if (desiredRecord) {
    const liveRecord = asRecord(live);
    // An empty mapping asks for nothing a server keeps, whether it stores `{}` or drops it.
    if (Object.keys(desiredRecord).length === 0 && (live === undefined || liveRecord)) return;
    if (!liveRecord) {
      record(walk, path, owners, live, desired);
      return;
    }
    for (const [key, value] of Object.entries(desiredRecord)) {
      compare(walk, [...path, { key }], descendKey(owners, key), liveRecord[key], value);
    }
    return;
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) {
      record(walk, path, owners, live, desired);
      return;
    }
    const names = itemNames(desired);
    if (names && live.every((item) => asRecord(item))) {
      desired.forEach((item, i) => {
        const name = names[i]!;
        const index = live.findIndex((l) => asRecord(l)?.name === name);
        const segment: Segment = { index, name };
        if (index < 0) {
          record(walk, [...path, segment], [], undefined, item);
          return;
        }
        compare(walk, [...path, segment], descendItem(owners, live, index), live[index], item);
      });
      return;
    }
    if (live.length !== desired.length) {
      record(walk, path, owners, live, desired);
      return;
    }
    desired.forEach((item, index) =>
      compare(walk, [...path, { index }], descendItem(owners, live, index), live[index], item),
    );
    return;
  }
  if (live === undefined || canonicalJson(live) !== canonicalJson(desired)) {
    record(walk, path, owners, live, desired);
  }
}

/** Fields bindops owns (its last apply set them) that `desired` no longer sets. */
function removed(
  walk: Walk,
  path: Segment[],
  own: Record<string, unknown>,
  others: Owner[],
  live: unknown,
  desired: unknown,
): void {
  const liveRecord = asRecord(live);
  const desiredRecord = asRecord(desired);
  if (!liveRecord) return;
  for (const [key, child] of Object.entries(own)) {
    if (!key.startsWith("f:")) continue;
    const name = key.slice(2);
    const owners = descendKey(others, name);
    const liveValue = liveRecord[name];
    const desiredValue = desiredRecord?.[name];
    if (liveValue === undefined) continue;
    if (desiredValue === undefined) {
      if (owners.length === 0) {
        walk.out.push(change(walk, [...path, { key: name }], "remove", liveValue, undefined));
      }
      continue;
    }
    const childSet = asRecord(child);
    if (!childSet) continue;
    if (asRecord(desiredValue)) {
      removed(walk, [...path, { key: name }], childSet, owners, liveValue, desiredValue);
    } else if (Array.isArray(desiredValue) && Array.isArray(liveValue)) {
      removedItems(walk, [...path, { key: name }], childSet, owners, liveValue, desiredValue);
    }
  }
}

/** Named list items bindops applied before that `desired` no longer has. */
function removedItems(
  walk: Walk,
  path: Segment[],
  own: Record<string, unknown>,
  others: Owner[],
  live: unknown[],
  desired: unknown[],
): void {
  const names = itemNames(desired);
  if (!names) return;
  for (const key of Object.keys(own)) {
    if (!key.startsWith("k:")) continue;
    const itemKey = parseJson(key.slice(2));
    const name = asRecord(itemKey)?.name;
    if (typeof name !== "string" || names.includes(name)) continue;
    const index = live.findIndex((l) => asRecord(l)?.name === name);
    if (index < 0 || descendItem(others, live, index).length > 0) continue;
    walk.out.push(change(walk, [...path, { index, name }], "remove", live[index], undefined));
  }
}

function record(
  walk: Walk,
  path: Segment[],
  owners: Owner[],
  live: unknown,
  desired: unknown,
): void {
  const entry = change(walk, path, live === undefined ? "add" : "change", live, desired);
  const by = [...new Set(owners.map((o) => o.manager))].sort();
  walk.out.push(by.length > 0 ? { ...entry, changedBy: by } : entry);
}

function change(
  walk: Walk,
  path: Segment[],
  op: FieldChange["op"],
  live: unknown,
  desired: unknown,
): FieldChange {
  const first = path[0];
  const hidden =
    walk.secret && first && "key" in first && (first.key === "data" || first.key === "stringData");
  const shown = (value: unknown) => (hidden ? secretValue : value);
  return {
    path: formatPath(path),
    op,
    ...(op === "add" ? {} : { live: shown(live) }),
    ...(op === "remove" ? {} : { desired: shown(desired) }),
  };
}

/** `spec.versions[name=v1].served`, `metadata.labels["app.kubernetes.io/name"]`, `items[0]`. */
export function formatPath(path: readonly Segment[]): string {
  let text = "";
  for (const segment of path) {
    if ("key" in segment) {
      text += /^[A-Za-z_$][\w$]*$/.test(segment.key)
        ? `${text === "" ? "" : "."}${segment.key}`
        : `[${JSON.stringify(segment.key)}]`;
    } else {
      text += segment.name === undefined ? `[${segment.index}]` : `[name=${segment.name}]`;
    }
  }
  return text;
}

/** The names of a list's items when each is a mapping with a unique string `name`. */
function itemNames(list: readonly unknown[]): string[] | undefined {
  if (list.length === 0) return undefined;
  const names: string[] = [];
  for (const item of list) {
    const name = asRecord(item)?.name;
    if (typeof name !== "string" || names.includes(name)) return undefined;
    names.push(name);
  }
  return names;
}

function descendKey(owners: Owner[], key: string): Owner[] {
  return owners.flatMap((owner) => {
    if (owner.set === "all") return [owner];
    const child = owner.set[`f:${key}`];
    return child === undefined ? [] : [{ manager: owner.manager, set: fieldSet(child) }];
  });
}

/** The owners of one live list item: by its key fields (`k:`), its value (`v:`) or position. */
function descendItem(owners: Owner[], live: readonly unknown[], index: number): Owner[] {
  const item = live[index];
  return owners.flatMap((owner) => {
    if (owner.set === "all") return [owner];
    for (const [key, child] of Object.entries(owner.set)) {
      if (matchesItem(key, item, index)) return [{ manager: owner.manager, set: fieldSet(child) }];
    }
    return [];
  });
}

function matchesItem(key: string, item: unknown, index: number): boolean {
  if (key === `i:${index}`) return true;
  if (key.startsWith("v:")) return canonicalJson(parseJson(key.slice(2))) === canonicalJson(item);
  if (!key.startsWith("k:")) return false;
  const fields = asRecord(parseJson(key.slice(2)));
  const itemRecord = asRecord(item);
  if (!fields || !itemRecord) return false;
  return Object.entries(fields).every(
    ([name, value]) => canonicalJson(itemRecord[name]) === canonicalJson(value),
  );
}

/** A leaf (`{}`) owns the whole value below it: an atomic list or map, or a scalar. */
function fieldSet(value: unknown): FieldSet {
  const set = asRecord(value);
  return set === undefined || Object.keys(set).length === 0 ? "all" : set;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
