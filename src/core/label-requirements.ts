import { asArray, asRecord, asString, asStringArray } from "./lenient.js";

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
 * unknown operator, values missing or given where they must not be) are left out and counted in
 * `invalid`: a caller comparing selectors decides what leaving them out means.
 */
export function labelRequirements(selector: unknown): {
  requirements: LabelRequirement[];
  invalid: number;
} {
  const record = asRecord(selector);
  const requirements: LabelRequirement[] = [];
  let invalid = 0;
  for (const [key, value] of Object.entries(asRecord(record?.matchLabels) ?? {})) {
    // YAML may read `tier: 1` as a number; the schema stage reports it, the label still narrows.
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      requirements.push({ key, operator: "In", values: [String(value)] });
    } else invalid++;
  }
  for (const entry of asArray(record?.matchExpressions)) {
    const key = asString(asRecord(entry)?.key);
    const operator = asString(asRecord(entry)?.operator);
    const values = asStringArray(asRecord(entry)?.values) ?? [];
    const needsValues = operator === "In" || operator === "NotIn";
    if (
      key === undefined ||
      operator === undefined ||
      !operators.has(operator) ||
      needsValues !== values.length > 0
    ) {
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
