import type { SelectorShape } from "./claim-policy.js";
import type { PermissionClaim } from "../core/service-binding.js";

/**
 * The shapes of a claim's selector, one per branch present, in the order Label, MatchAll, Named,
 * Reference; `["Empty"]` when no branch selects anything. A label selector is `Label` only when it
 * requires a label (`matchLabels`, `In` or `Exists`); otherwise it is `MatchAll`. kube-bind ORs the branches, so a claim
 * reaches at least as much as its widest shape.
 */
export function claimShape(claim: PermissionClaim): SelectorShape[] {
  const { labelSelector, namedResources, references } = claim.selector;
  const shapes: SelectorShape[] = [];
  if (labelSelector !== undefined) {
    // Only a required label narrows a selection: `NotIn` and `DoesNotExist` alone still select
    // every object that lacks some label, which is as good as every object.
    const narrows =
      Object.keys(labelSelector.matchLabels ?? {}).length > 0 ||
      (labelSelector.matchExpressions ?? []).some(
        (r) => r.operator === "In" || r.operator === "Exists",
      );
    shapes.push(narrows ? "Label" : "MatchAll");
  }
  if (namedResources !== undefined && namedResources.length > 0) shapes.push("Named");
  if (references !== undefined && references.length > 0) shapes.push("Reference");
  return shapes.length > 0 ? shapes : ["Empty"];
}
