import type { ClaimScope } from "./claim-policy.js";
import type { PermissionClaim, ServiceBinding } from "../core/service-binding.js";

/**
 * Whether a claim is confined to known namespaces. It is `Namespaced` when the binding lists
 * `spec.namespaces`, or when the claim selects only by name (a non-empty `namedResources`, no label
 * selector, no references) and every named resource has a namespace. Anything else can reach
 * objects in any namespace of the consumer cluster: `Cluster`. A claim that selects nothing is
 * `Cluster` too, unless the binding lists namespaces.
 */
export function claimScope(
  claim: PermissionClaim,
  binding: Pick<ServiceBinding, "namespaces">,
): ClaimScope {
  if (binding.namespaces.length > 0) return "Namespaced";
  const { labelSelector, namedResources, references } = claim.selector;
  const onlyNamed =
    labelSelector === undefined &&
    (references === undefined || references.length === 0) &&
    namedResources !== undefined &&
    namedResources.length > 0;
  return onlyNamed && namedResources.every((r) => r.namespace !== undefined)
    ? "Namespaced"
    : "Cluster";
}
