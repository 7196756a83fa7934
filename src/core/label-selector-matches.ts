import { labelRequirements } from "./label-requirements.js";
import type { LabelSelector } from "./service-binding.js";

/**
 * Whether labels satisfy a `metav1.LabelSelector`, as the API server decides: every requirement
 * holds (`NotIn` and `DoesNotExist` hold for a missing label). An empty selector matches
 * everything. A selector with entries that could not be read matches nothing: guessing what an
 * unreadable requirement meant could only widen what it selects.
 */
export function labelSelectorMatches(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const { requirements, invalid } = labelRequirements(selector);
  if (invalid > 0) return false;
  return requirements.every(({ key, operator, values }) => {
    const value = labels?.[key];
    switch (operator) {
      case "In":
        return value !== undefined && values.includes(value);
      case "NotIn":
        return value === undefined || !values.includes(value);
      case "Exists":
        return value !== undefined;
      case "DoesNotExist":
        return value === undefined;
    }
  });
}
