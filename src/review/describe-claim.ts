import { formatRequirement, labelRequirements } from "../core/label-requirements.js";
import type {
  ClaimDirection,
  LabelSelector,
  NamedResource,
  SelectorReference,
} from "../core/service-binding.js";

const coreKinds: Record<string, [singular: string, plural: string]> = {
  secrets: ["Secret", "Secrets"],
  configmaps: ["ConfigMap", "ConfigMaps"],
  serviceaccounts: ["ServiceAccount", "ServiceAccounts"],
};

/** What a claim is on, as a reviewer says it: `Secrets`, `ConfigMaps`, `widgets.example.com`. */
export function claimedObjects(group: string, resource: string): string {
  const core = group === "" ? coreKinds[resource] : undefined;
  return core ? core[1] : group === "" ? resource : `${resource}.${group}`;
}

/** One object of a claim's resource: `Secret`, or the resource for other kinds. */
export function claimedObject(group: string, resource: string): string {
  const core = group === "" ? coreKinds[resource] : undefined;
  return core ? core[0] : claimedObjects(group, resource);
}

/**
 * A label selector as `kubectl get -l` writes one (`app=orders, tier in (a,b)`); `{}` for a
 * selector with no requirement, which selects every object.
 */
export function formatLabelSelector(selector: LabelSelector | undefined): string {
  if (selector === undefined) return "none";
  const { requirements, invalid } = labelRequirements(selector);
  const text = requirements.map(formatRequirement).join(", ") || "{}";
  return invalid > 0 ? `${text} (+${invalid} unreadable)` : text;
}

/** A named resource: `orders/pg-credentials`, or `pg-credentials (any namespace)`. */
export function formatNamedResource(entry: NamedResource): string {
  return entry.namespace === undefined
    ? `${entry.name} (any namespace)`
    : `${entry.namespace}/${entry.name}`;
}

/** A reference: where the name (and namespace) of a claimed object is read from. */
export function formatReference(entry: SelectorReference): string {
  const from = entry.group === "" ? entry.resource : `${entry.resource}.${entry.group}`;
  const namespace =
    entry.jsonPath.namespace === undefined || entry.jsonPath.namespace.trim() === ""
      ? "any namespace"
      : `namespace from ${entry.jsonPath.namespace}`;
  const versions = entry.versions?.length ? ` (${entry.versions.join(", ")})` : "";
  return `${from}${versions} ${entry.jsonPath.name}, ${namespace}`;
}

/** Which way claimed objects flow, in words. */
export function describeDirection(direction: ClaimDirection, objects: string): string {
  switch (direction) {
    case "ProviderToConsumer":
      return `ProviderToConsumer: the provider writes ${objects} into the consumer cluster`;
    case "ConsumerToProvider":
      return `ConsumerToProvider: the consumer's ${objects} are copied to the provider`;
    case "Both":
      return `Both: the consumer's ${objects} are copied to the provider, and the provider writes ${objects} into the consumer cluster`;
  }
}
