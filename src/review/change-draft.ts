import type { PermissionClaim } from "../core/service-binding.js";
import { claimScope } from "../policy/claim-scope.js";
import { claimShape } from "../policy/claim-shape.js";
import type { ClaimFacts, ReviewChange } from "./review.js";

/** A change as the comparisons find it: where it is as a pointer, not yet as a line. */
export interface ChangeDraft extends Omit<ReviewChange, "location" | "policy"> {
  at?: { side: "base" | "head"; file: string; document: number; pointer: string };
  /** The claim of a head binding that the claim policies decide for this change. */
  decide?: { file: string; document: number; claimIndex: number };
}

/**
 * The facts of a claim the grading and the policies look at. `namespaces` are a binding's; a
 * template's claim has none, and reaches every namespace unless it names each object with one.
 */
export function claimFactsOf(
  claim: PermissionClaim,
  namespaces: readonly string[] = [],
): ClaimFacts {
  return {
    group: claim.group,
    resource: claim.resource,
    shapes: claimShape(claim),
    scope: claimScope(claim, { namespaces: [...namespaces] }),
    direction: claim.direction,
  };
}
