import type { LabelSelector } from "./service-binding.js";

export type LabelOperator = "In" | "NotIn" | "Exists" | "DoesNotExist";

/** One requirement of a label selector; `matchLabels` entries become `In` with one value. */
export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: readonly string[];
}

const operators = new Set<string>(["In", "NotIn", "Exists", "DoesNotExist"]);

/**
 * The requirements of a `metav1.LabelSelector`, AND-ed. Entries that cannot be read (no key, an
 * unknown operator, values missing or given where they must not be, and those the typed view
 * could not read at all) are left out and counted in `invalid`: a caller comparing selectors
 * decides what leaving them out means.
 */
export function labelRequirements(selector: LabelSelector): {
  requirements: LabelRequirement[];
  invalid: number;
} {
  const requirements: LabelRequirement[] = [];
  let invalid = selector.unreadable ?? 0;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    requirements.push({ key, operator: "In", values: [value] });
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const needsValues = operator === "In" || operator === "NotIn";
    if (!operators.has(operator) || needsValues !== values.length > 0) {
      invalid++;
      continue;
    }
    requirements.push({ key, operator: operator as LabelOperator, values });
  }
  return { requirements, invalid };
}

/** A requirement as `kubectl get -l` would write it. */
export function formatRequirement(requirement: LabelRequirement): string {
  const { key, operator, values } = requirement;
  switch (operator) {
    case "In":
      return values.length === 1 ? `${key}=${values[0]}` : `${key} in (${values.join(",")})`;
    case "NotIn":
      return `${key} notin (${values.join(",")})`;
    case "Exists":
      return key;
    case "DoesNotExist":
      return `!${key}`;
  }
}
