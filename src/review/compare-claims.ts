import { uncoveredBranches, type DefaultVersions } from "../core/selector-covers.js";
import type {
  ClaimDirection,
  ClaimSelector,
  PermissionClaim,
  SelectorReference,
} from "../core/service-binding.js";
import { labelRequirements } from "../core/label-requirements.js";
import { claimScope } from "../policy/claim-scope.js";
import {
  claimedObject,
  claimedObjects,
  formatLabelSelector,
  formatNamedResource,
  formatReference,
} from "./describe-claim.js";

/** One revision of a claim, with what gives it meaning there. */
export interface ClaimSide {
  claim: PermissionClaim;
  /**
   * The binding's `spec.namespaces`, which confine its claims; absent for a template's claim,
   * which a `kubectl bind` accepts in every namespace.
   */
  namespaces?: readonly string[];
  /** The versions of a reference that names none: those of the template's exported resource. */
  defaultVersions: DefaultVersions;
  /** A binding's `spec.isolation`, which decides how references match; absent when not set. */
  isolation?: string;
}

/** How the head revision of a claim differs from the base, one fact a line. */
export interface ClaimComparison {
  /** What the head selects or allows that the base did not. */
  wider: string[];
  /** What the base selected or allowed that the head does not. */
  narrower: string[];
}

/**
 * Compares two revisions of a claim on the same resource. Whether a selector selects more is
 * decided by {@link uncoveredBranches}, the selector algebra `validate` uses to keep a binding
 * within its template, here with the base in the template's place (wider) and then the head
 * (narrower); the direction by the flows each allows; a binding's namespaces by the sets.
 */
export function compareClaims(base: ClaimSide, head: ClaimSide): ClaimComparison {
  const wider: string[] = [];
  const narrower: string[] = [];
  const { group, resource } = head.claim;
  const selectors = { base: base.claim.selector, head: head.claim.selector };
  // References are compared knowing the isolation only when both revisions use the same one.
  const cover =
    base.isolation === head.isolation && head.isolation ? { isolation: head.isolation } : {};
  for (const branch of uncoveredBranches(
    selectors.base,
    selectors.head,
    head.defaultVersions,
    cover,
  )) {
    wider.push(describeWider(branch.pointer, selectors, group, resource));
  }
  for (const branch of uncoveredBranches(
    selectors.head,
    selectors.base,
    base.defaultVersions,
    cover,
  )) {
    narrower.push(describeNarrower(branch.pointer, selectors, group, resource));
  }
  compareDirections(base.claim.direction, head.claim.direction, claimedObjects(group, resource), {
    wider,
    narrower,
  });
  compareNamespaces(base, head, { wider, narrower });
  return { wider, narrower };
}

type Selectors = { base: ClaimSelector; head: ClaimSelector };

/** `/namedResources/2` → `["namedResources", 2]`. */
function branchOf(pointer: string): [string, number | undefined] {
  const [, branch = "", index] = pointer.split("/");
  return [branch, index === undefined ? undefined : Number(index)];
}

function selectsEverything(selector: ClaimSelector): boolean {
  const labels = selector.labelSelector;
  if (labels === undefined) return false;
  const { requirements, invalid } = labelRequirements(labels);
  return requirements.length === 0 && invalid === 0;
}

function labelChange(selectors: Selectors, group: string, resource: string): string {
  const every = selectsEverything(selectors.head)
    ? ` (every ${claimedObject(group, resource)} in scope)`
    : "";
  if (selectors.base.labelSelector === undefined) {
    return `labelSelector added: ${formatLabelSelector(selectors.head.labelSelector)}${every}`;
  }
  if (selectors.head.labelSelector === undefined) {
    return `labelSelector removed (was ${formatLabelSelector(selectors.base.labelSelector)})`;
  }
  return `labelSelector: ${formatLabelSelector(selectors.base.labelSelector)} → ${formatLabelSelector(selectors.head.labelSelector)}${every}`;
}

const sameSource = (a: SelectorReference, b: SelectorReference) =>
  a.group === b.group &&
  a.resource === b.resource &&
  a.jsonPath.name.trim() === b.jsonPath.name.trim();

const namespacePath = (r: SelectorReference) => r.jsonPath.namespace?.trim() || undefined;

function describeWider(
  pointer: string,
  selectors: Selectors,
  group: string,
  resource: string,
): string {
  const [branch, index] = branchOf(pointer);
  if (branch === "labelSelector") return labelChange(selectors, group, resource);
  if (branch === "namedResources") {
    const entry = selectors.head.namedResources?.find((e) => e.index === index);
    return entry ? `names ${formatNamedResource(entry)}` : "names more objects";
  }
  const entry = selectors.head.references?.find((e) => e.index === index);
  if (entry === undefined) return "references more objects";
  const was = selectors.base.references?.find((r) => sameSource(r, entry));
  if (was === undefined) return `reference added: ${formatReference(entry)}`;
  const [before, after] = [namespacePath(was), namespacePath(entry)];
  if (before !== undefined && after === undefined) {
    return `reference ${formatReference(entry)}: no longer checks the namespace (jsonPath.namespace ${before} dropped), so an object of that name in any namespace matches`;
  }
  if (before !== after) {
    return `reference ${formatReference(entry)}: namespace read from ${after ?? "nowhere"} instead of ${before ?? "nowhere"}`;
  }
  return `reference ${formatReference(entry)}: more versions (was ${was.versions?.join(", ") ?? "the export's"})`;
}

function describeNarrower(
  pointer: string,
  selectors: Selectors,
  group: string,
  resource: string,
): string {
  const [branch, index] = branchOf(pointer);
  if (branch === "labelSelector") return labelChange(selectors, group, resource);
  if (branch === "namedResources") {
    const entry = selectors.base.namedResources?.find((e) => e.index === index);
    return entry ? `no longer names ${formatNamedResource(entry)}` : "names fewer objects";
  }
  const entry = selectors.base.references?.find((e) => e.index === index);
  if (entry === undefined) return "references fewer objects";
  const now = selectors.head.references?.find((r) => sameSource(r, entry));
  if (now === undefined) return `reference removed: ${formatReference(entry)}`;
  const [before, after] = [namespacePath(entry), namespacePath(now)];
  if (before === undefined && after !== undefined) {
    return `reference ${formatReference(now)}: now checks the namespace`;
  }
  if (before !== after) {
    return `reference ${formatReference(now)}: namespace read from ${after ?? "nowhere"} instead of ${before ?? "nowhere"}`;
  }
  return `reference ${formatReference(now)}: fewer versions (was ${entry.versions?.join(", ") ?? "the export's"})`;
}

const flows = (direction: ClaimDirection): ClaimDirection[] =>
  direction === "Both" ? ["ConsumerToProvider", "ProviderToConsumer"] : [direction];

const flowText = (flow: ClaimDirection, objects: string): string =>
  flow === "ConsumerToProvider"
    ? `the consumer's ${objects} are copied to the provider`
    : `the provider writes ${objects} into the consumer cluster`;

function compareDirections(
  base: ClaimDirection,
  head: ClaimDirection,
  objects: string,
  into: ClaimComparison,
): void {
  if (base === head) return;
  const added = flows(head).filter((f) => !flows(base).includes(f));
  const dropped = flows(base).filter((f) => !flows(head).includes(f));
  for (const flow of added)
    into.wider.push(`direction ${base} → ${head}: now ${flowText(flow, objects)}`);
  for (const flow of dropped) {
    into.narrower.push(`direction ${base} → ${head}: no longer ${flowText(flow, objects)}`);
  }
}

function compareNamespaces(base: ClaimSide, head: ClaimSide, into: ClaimComparison): void {
  if (base.namespaces === undefined || head.namespaces === undefined) return;
  // A claim that only names objects in given namespaces reaches those, whatever the binding lists.
  if (claimScope(head.claim, { namespaces: [] }) === "Namespaced") return;
  const before = base.namespaces;
  const after = head.namespaces;
  if (before.length > 0 && after.length === 0) {
    into.wider.push(
      `cluster-wide: the binding no longer lists namespaces (was ${before.join(", ")})`,
    );
    return;
  }
  if (before.length === 0 && after.length > 0) {
    into.narrower.push(`confined to namespaces ${after.join(", ")} (was cluster-wide)`);
    return;
  }
  const added = after.filter((n) => !before.includes(n));
  const removed = before.filter((n) => !after.includes(n));
  if (added.length > 0) into.wider.push(`also in namespaces ${added.join(", ")}`);
  if (removed.length > 0) into.narrower.push(`no longer in namespaces ${removed.join(", ")}`);
}
