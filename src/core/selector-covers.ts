import { joinPointer } from "./finding.js";
import { labelRequirements } from "./label-requirements.js";
import { labelSelectorCovers } from "./label-selector-covers.js";
import type { ClaimSelector, LabelSelector, SelectorReference } from "./service-binding.js";

/** A branch of a binding's selector that the template's selector does not cover. */
export interface UncoveredBranch {
  /** Pointer relative to the selector, e.g. `/namedResources/1`. */
  pointer: string;
  reason: string;
}

/** The versions a reference without its own resolve to: those of the export's resource. */
export type DefaultVersions = (group: string, resource: string) => readonly string[] | undefined;

/** What else decides whether a branch covers another. */
export interface CoverOptions {
  /**
   * The isolation both claims are used with, when it is known. With any but `Namespaced`, a
   * reference without `jsonPath.namespace` matches by name in every namespace (kube-bind-spec
   * §4.3), so it covers the same reference with a namespace path. Unknown (the default), a
   * reference covers only the same reference.
   */
  isolation?: string;
}

/**
 * The branches of a binding's claim selector that select more than the template's claim selector.
 * kube-bind ORs the branches of a selector (labelSelector, each namedResources entry, each
 * reference), so the binding's selector is narrower than or equal to the template's exactly when
 * each of its branches is covered by some branch of the template's:
 *
 * - a template labelSelector that selects every object (`{}`) covers every branch;
 * - the binding's labelSelector by the template's labelSelector, as {@link labelSelectorCovers}
 *   decides (names and references say nothing about labels, so they never cover it, and a
 *   label branch that is not match-all never covers names or references);
 * - a named resource by a template named resource with the same name and either no namespace
 *   (any namespace) or the same one; a binding entry without a namespace (any namespace) needs a
 *   template entry without one;
 * - a reference by a template reference of the same group, resource, `jsonPath.name` and
 *   `jsonPath.namespace` (or none, when `options.isolation` says that checks no namespace), whose
 *   versions include the binding's (a reference without versions has those of the export's
 *   resource).
 *
 * @returns an empty list when the binding's selector is within the template's.
 */
export function uncoveredBranches(
  template: ClaimSelector,
  binding: ClaimSelector,
  defaultVersions: DefaultVersions,
  options: CoverOptions = {},
): UncoveredBranch[] {
  const uncovered: UncoveredBranch[] = [];
  const templateLabels = template.labelSelector;
  if (templateLabels !== undefined && selectsEverything(templateLabels)) return uncovered;
  const bindingLabels = binding.labelSelector;
  if (bindingLabels !== undefined) {
    const reason =
      templateLabels === undefined
        ? "the template's claim has no labelSelector"
        : labelSelectorCovers(templateLabels, bindingLabels);
    if (reason !== undefined) uncovered.push({ pointer: joinPointer("labelSelector"), reason });
  }

  const templateNames = template.namedResources ?? [];
  for (const wanted of binding.namedResources ?? []) {
    const covered = templateNames.some(
      (t) =>
        t.name === wanted.name && (t.namespace === undefined || t.namespace === wanted.namespace),
    );
    if (!covered) {
      uncovered.push({
        pointer: joinPointer("namedResources", wanted.index),
        reason:
          wanted.namespace === undefined
            ? `the template names no ${wanted.name} in every namespace`
            : `the template names no ${wanted.name} in namespace ${wanted.namespace}`,
      });
    }
  }

  const templateReferences = (template.references ?? []).map((r) => reference(r, defaultVersions));
  for (const entry of binding.references ?? []) {
    const wanted = reference(entry, defaultVersions);
    const anyNamespace = options.isolation !== undefined && options.isolation !== "Namespaced";
    const covered = templateReferences.some(
      (t) =>
        (t.identity === wanted.identity ||
          (anyNamespace && t.namespace === "" && t.source === wanted.source)) &&
        wanted.versions.every((v) => t.versions.includes(v)),
    );
    if (!covered) {
      uncovered.push({
        pointer: joinPointer("references", entry.index),
        reason: `the template has no reference from ${entry.resource}${entry.group ? "." + entry.group : ""} with the same jsonPath (name and namespace) and versions`,
      });
    }
  }
  return uncovered;
}

function selectsEverything(labelSelector: LabelSelector): boolean {
  const { requirements, invalid } = labelRequirements(labelSelector);
  return requirements.length === 0 && invalid === 0;
}

function reference(
  entry: SelectorReference,
  defaultVersions: DefaultVersions,
): { identity: string; source: string; namespace: string; versions: readonly string[] } {
  const { group, resource, jsonPath } = entry;
  const own = entry.versions ?? [];
  const source = JSON.stringify([group, resource, jsonPath.name.trim()]);
  const namespace = (jsonPath.namespace ?? "").trim();
  return {
    identity: JSON.stringify([source, namespace]),
    source,
    namespace,
    versions: own.length > 0 ? own : (defaultVersions(group, resource) ?? []),
  };
}
