import { formatRequirement, labelRequirements } from "../core/label-requirements.js";
import type {
  ClaimDirection,
  LabelSelector,
  NamedResource,
  PermissionClaim,
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

/** What {@link claimInWords} needs to know beyond the claim. */
export interface ClaimWordingContext {
  /**
   * A binding's `spec.namespaces`; absent for a template's claim, whose objects are in the
   * namespaces the consumer binds.
   */
  namespaces?: readonly string[];
  /** The kind of a referencing resource (`PostgresCluster` for `postgresclusters`), if known. */
  kindOf?: (group: string, resource: string) => string | undefined;
}

/**
 * A claim in words a consumer understands, from the provider's side: what it does with which of
 * the consumer's objects, one phrase per selector branch (kube-bind ORs them), e.g. `reads and
 * writes Secrets labelled app=orders in the namespaces you bind, and Secrets named by
 * PostgresCluster.spec.credentialsSecretRef`.
 */
export function claimInWords(claim: PermissionClaim, context: ClaimWordingContext = {}): string {
  const { group, resource, selector } = claim;
  const objects = claimedObjects(group, resource);
  const verb =
    claim.direction === "ConsumerToProvider"
      ? "reads"
      : claim.direction === "ProviderToConsumer"
        ? "writes"
        : "reads and writes";
  const where =
    context.namespaces === undefined
      ? "in the namespaces you bind"
      : context.namespaces.length === 0
        ? "in every namespace"
        : `in ${context.namespaces.length === 1 ? "namespace" : "namespaces"} ${listInWords(context.namespaces, "and")}`;
  const phrases: string[] = [];
  if (selector.labelSelector !== undefined) {
    const { requirements, invalid } = labelRequirements(selector.labelSelector);
    const labels = formatLabelSelector(selector.labelSelector);
    phrases.push(
      requirements.length === 0 && invalid === 0
        ? `every ${claimedObject(group, resource)} ${where}`
        : `${objects} labelled ${labels} ${where}`,
    );
  }
  const named = selector.namedResources ?? [];
  if (named.length > 0) {
    const one = claimedObject(group, resource);
    const names = named.map((n) =>
      n.namespace === undefined ? `${n.name} (in any namespace)` : `${n.namespace}/${n.name}`,
    );
    phrases.push(`the ${named.length === 1 ? one : objects} ${listInWords(names, "and")}`);
  }
  const references = selector.references ?? [];
  if (references.length > 0) {
    const fields = references.map((r) => referenceInWords(r, context));
    phrases.push(`${objects} named by ${listInWords(fields, "or")}`);
  }
  if (phrases.length === 0) return `selects no ${objects} (the claim has no selector)`;
  const flow =
    claim.direction === "ProviderToConsumer"
      ? " into your cluster"
      : claim.direction === "ConsumerToProvider"
        ? " (copies them to the provider)"
        : "";
  return `${verb} ${phrases.join(", and ")}${flow}`;
}

/** `PostgresCluster.spec.credentialsSecretRef`, with where the namespace comes from when unusual. */
function referenceInWords(reference: SelectorReference, context: ClaimWordingContext): string {
  const kind =
    context.kindOf?.(reference.group, reference.resource) ??
    (reference.group === "" ? reference.resource : `${reference.resource}.${reference.group}`);
  // `spec.credentialsSecretRef.name` names the Secret the field refers to: say the field.
  const path = reference.jsonPath.name.trim().replace(/^\.?/, "");
  const field = /\.name$/.test(path) && path.split(".").length > 2 ? path.slice(0, -5) : path;
  const namespace = reference.jsonPath.namespace?.trim().replace(/^\.?/, "");
  const suffix =
    namespace === undefined || namespace === ""
      ? " (in any namespace)"
      : namespace === "metadata.namespace"
        ? ""
        : ` (in the namespace at ${kind}.${namespace})`;
  return `${kind}.${field}${suffix}`;
}

/** `a`, `a and b`, `a, b and c`. */
function listInWords(items: readonly string[], conjunction: "and" | "or"): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} ${conjunction} ${items[items.length - 1]}`;
}
