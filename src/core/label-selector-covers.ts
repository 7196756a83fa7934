import {
  formatRequirement,
  labelRequirements,
  type LabelRequirement,
} from "./label-requirements.js";
import type { LabelSelector } from "./service-binding.js";

/** What the requirements of one selector say about one label key. */
interface KeyFacts {
  /** The values the label may have (intersection of `In`s), when some `In` constrains it. */
  oneOf: Set<string> | undefined;
  /** Values the label may not have (union of `NotIn`s). */
  noneOf: Set<string>;
  exists: boolean;
  absent: boolean;
}

/**
 * Whether every object the binding's label selector selects is also selected by the template's,
 * judged without knowing any objects: it is, when each requirement of the template's selector is
 * implied by the requirements of the binding's (which are AND-ed):
 *
 * - `k in V` (and `matchLabels k: v`, which is `k in (v)`) is implied when the binding's `In`s
 *   on `k`, less its `NotIn`s, leave only values of `V`;
 * - `k notin V` when the binding requires `!k`, or leaves `k` only values outside `V`, or itself
 *   excludes every value of `V`;
 * - `k` (Exists) when the binding requires `k` or constrains it with `In`;
 * - `!k` (DoesNotExist) only when the binding requires `!k`.
 *
 * So an empty template selector (match-all) covers everything, and an empty binding selector is
 * only covered by an empty template selector. A binding selector no object can satisfy (e.g.
 * `k in (a)` and `k in (b)`) is covered. The judgement errs towards "not covered": requirements
 * of the binding that cannot be read are ignored (which only widens it), and a template selector
 * with unreadable requirements covers nothing.
 *
 * @returns `undefined` when covered, otherwise why not, in words.
 */
export function labelSelectorCovers(
  template: LabelSelector,
  binding: LabelSelector,
): string | undefined {
  const wanted = labelRequirements(template);
  if (wanted.invalid > 0) {
    return "the template's labelSelector is invalid, so nothing can be shown to be within it";
  }
  const given = labelRequirements(binding).requirements;
  const facts = factsByKey(given);
  if ([...facts.values()].some(unsatisfiable)) return undefined;
  for (const requirement of wanted.requirements) {
    if (!implied(requirement, facts.get(requirement.key))) {
      return given.length === 0
        ? "the binding's labelSelector is empty and selects every object; the template's does not"
        : `the template's labelSelector requires ${formatRequirement(requirement)}, which the binding's does not imply`;
    }
  }
  return undefined;
}

function factsByKey(requirements: readonly LabelRequirement[]): Map<string, KeyFacts> {
  const facts = new Map<string, KeyFacts>();
  for (const { key, operator, values } of requirements) {
    let fact = facts.get(key);
    if (fact === undefined) {
      fact = { oneOf: undefined, noneOf: new Set(), exists: false, absent: false };
      facts.set(key, fact);
    }
    switch (operator) {
      case "In": {
        const allowed = fact.oneOf;
        fact.oneOf = new Set(allowed ? values.filter((v) => allowed.has(v)) : values);
        fact.exists = true;
        break;
      }
      case "NotIn":
        for (const value of values) fact.noneOf.add(value);
        break;
      case "Exists":
        fact.exists = true;
        break;
      case "DoesNotExist":
        fact.absent = true;
        break;
    }
  }
  return facts;
}

/** Values the label can still have, or `undefined` when any value (or none) is possible. */
function possible(fact: KeyFacts): string[] | undefined {
  return fact.oneOf ? [...fact.oneOf].filter((v) => !fact.noneOf.has(v)) : undefined;
}

function unsatisfiable(fact: KeyFacts): boolean {
  return (fact.exists && fact.absent) || possible(fact)?.length === 0;
}

function implied(requirement: LabelRequirement, fact: KeyFacts | undefined): boolean {
  if (fact === undefined) return false;
  const values = possible(fact);
  switch (requirement.operator) {
    case "In":
      return values !== undefined && values.every((v) => requirement.values.includes(v));
    case "NotIn":
      return (
        fact.absent ||
        (values !== undefined && values.every((v) => !requirement.values.includes(v))) ||
        requirement.values.every((v) => fact.noneOf.has(v))
      );
    case "Exists":
      return fact.exists;
    case "DoesNotExist":
      return fact.absent;
  }
}
