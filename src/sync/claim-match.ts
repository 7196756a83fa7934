import { gjsonStrings } from "../core/gjson-path.js";
import type { ClaimDirection, PermissionClaim } from "../core/service-binding.js";
import { labelSelectorMatches } from "../core/label-selector-matches.js";
import type { ExportResource, Consent } from "../core/kube-bind-objects.js";
import type { KubeObject } from "../core/kube-object.js";

/** An object as a claim sees it: its name, labels, and its namespace on the consumer. */
export interface ClaimCandidate {
  name: string;
  /** The consumer namespace (a provider object's namespace mapped back); `""` cluster-scoped. */
  namespace: string;
  labels?: Readonly<Record<string, string>>;
}

/** The consumer objects a claim's references may point from, by `<resource>.<group>`. */
export type ReferencingObjects = (group: string, resource: string) => readonly KubeObject[];

/** One accepted claim, ready to match objects. */
export interface AcceptedClaim {
  claim: PermissionClaim;
  /** From the binding's consent; `Both` when the binding states none (kube-bind's behaviour). */
  direction: ClaimDirection;
  /** Consumer namespaces objects may come from; undefined: any. */
  namespaces: ReadonlySet<string> | undefined;
  /** The exported resources, which alone may be referenced. */
  exportedResources: readonly ExportResource[];
}

/**
 * The claims a binding accepted, with its consent applied: a claim the consent does not list is
 * not accepted at all (only a binding without consent — made by `kubectl bind` — gets kube-bind's
 * `Both`).
 */
export function acceptedClaims(
  claims: readonly PermissionClaim[],
  consent: Consent | undefined,
  exportedResources: readonly ExportResource[],
): AcceptedClaim[] {
  const namespaces =
    consent?.namespaces && consent.namespaces.length > 0 ? new Set(consent.namespaces) : undefined;
  return claims.flatMap((claim) => {
    const stated = consent?.claims.find(
      (c) => (c.group ?? "") === claim.group && c.resource === claim.resource,
    );
    if (consent !== undefined && stated === undefined) return [];
    return [{ claim, direction: stated?.direction ?? "Both", namespaces, exportedResources }];
  });
}

/** Whether objects may flow this way under the claim. */
export function allowsDirection(
  accepted: AcceptedClaim,
  way: "ConsumerToProvider" | "ProviderToConsumer",
): boolean {
  return accepted.direction === "Both" || accepted.direction === way;
}

/**
 * Whether a claim selects an object (spec §4.3), with bindops's stricter reading (ADR 0007):
 * - the branches are OR'ed, as kube-bind does; an empty selector selects nothing;
 * - the object must be in one of the consented namespaces, when the binding names any;
 * - a reference counts only from an exported resource, in the versions it names (else the
 *   export's); its `jsonPath.name` must resolve to the object's name; with `jsonPath.namespace`
 *   that path must resolve to the object's namespace (kube-bind skips the check when it does not
 *   resolve); without it the referencing object must be in the object's namespace (kube-bind
 *   checks no namespace unless isolation is `Namespaced`).
 * The `kube-bind.io/owner` label plays no part: an object stops being claimed when it stops
 * matching, and a copy another binding labelled is not claimed by this one.
 */
export function isClaimed(
  accepted: AcceptedClaim,
  object: ClaimCandidate,
  referencing: ReferencingObjects,
): boolean {
  if (accepted.namespaces !== undefined && !accepted.namespaces.has(object.namespace)) return false;
  const { labelSelector, namedResources, references } = accepted.claim.selector;
  if (labelSelector !== undefined && labelSelectorMatches(labelSelector, object.labels)) {
    return true;
  }
  for (const named of namedResources ?? []) {
    if (named.name === object.name && (!named.namespace || named.namespace === object.namespace)) {
      return true;
    }
  }
  for (const reference of references ?? []) {
    const exported = accepted.exportedResources.find(
      (r) => (r.group ?? "") === reference.group && r.resource === reference.resource,
    );
    if (exported === undefined) continue;
    const versions = reference.versions?.length ? reference.versions : (exported.versions ?? []);
    for (const from of referencing(reference.group, reference.resource)) {
      const version = from.apiVersion.split("/").pop() ?? "";
      if (versions.length > 0 && !versions.includes(version)) continue;
      if (referencesObject(from, reference.jsonPath, object)) return true;
    }
  }
  return false;
}

function referencesObject(
  from: KubeObject,
  jsonPath: { name: string; namespace?: string },
  object: ClaimCandidate,
): boolean {
  const names = gjsonStrings(from, jsonPath.name);
  if (names === undefined || !names.includes(object.name)) return false;
  if (!jsonPath.namespace) return (from.metadata.namespace ?? "") === object.namespace;
  const namespaces = gjsonStrings(from, jsonPath.namespace);
  return namespaces !== undefined && namespaces.includes(object.namespace);
}

/**
 * The consumer keys (`namespace/name`) an object's references point at under a claim: when a
 * referencing object changes, these are the claimed objects to look at again.
 */
export function referencedKeys(
  accepted: AcceptedClaim,
  from: KubeObject,
  resource: { group: string; resource: string },
): string[] {
  const keys: string[] = [];
  for (const reference of accepted.claim.selector.references ?? []) {
    if (reference.group !== resource.group || reference.resource !== resource.resource) continue;
    const names = gjsonStrings(from, reference.jsonPath.name) ?? [];
    const namespaces = reference.jsonPath.namespace
      ? (gjsonStrings(from, reference.jsonPath.namespace) ?? [])
      : [from.metadata.namespace ?? ""];
    for (const namespace of namespaces) {
      for (const name of names) keys.push(namespace ? `${namespace}/${name}` : name);
    }
  }
  return keys;
}
