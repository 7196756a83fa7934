import type { SelectorShape } from "./claim-policy.js";
import type { PermissionClaim } from "./service-binding.js";

/**
 * The shapes of a claim's selector, one per branch present, in the order Label, MatchAll, Named,
 * Reference; `["Empty"]` when no branch selects anything. kube-bind ORs the branches, so a claim
 * reaches at least as much as its widest shape.
 */
export function claimShape(claim: PermissionClaim): SelectorShape[] {
  const { labelSelector, namedResources, references } = claim.selector;
  const shapes: SelectorShape[] = [];
  if (labelSelector !== undefined) {
    const entries =
      Object.keys(labelSelector.matchLabels ?? {}).length +
      (labelSelector.matchExpressions?.length ?? 0);
    shapes.push(entries > 0 ? "Label" : "MatchAll");
  }
  if (namedResources !== undefined && namedResources.length > 0) shapes.push("Named");
  if (references !== undefined && references.length > 0) shapes.push("Reference");
  return shapes.length > 0 ? shapes : ["Empty"];
}
