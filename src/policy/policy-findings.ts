import type { Finding } from "../core/finding.js";
import { joinPointer } from "../core/finding.js";
import type { PolicyDecision } from "./evaluate-claims.js";

/**
 * Findings for the decisions that need attention: `deny` is a `policy-denied` error,
 * `require-approval` a `policy-requires-approval` warning; `allow` yields nothing. Each finding
 * points at the claim and carries the rule's reason.
 */
export function policyFindings(decisions: readonly PolicyDecision[]): Finding[] {
  return decisions.flatMap((decision): Finding[] => {
    if (decision.effect === "allow") return [];
    const denied = decision.effect === "deny";
    return [
      {
        severity: denied ? "error" : "warning",
        rule: denied ? "policy-denied" : "policy-requires-approval",
        message: messageOf(decision, denied ? "is denied by" : "requires approval under"),
        location: {
          file: decision.binding.file,
          document: decision.binding.index,
          pointer: joinPointer("spec", "permissionClaims", decision.claimIndex),
        },
      },
    ];
  });
}

function messageOf(decision: PolicyDecision, verdict: string): string {
  const { claim } = decision;
  const resource = claim.group === "" ? claim.resource : `${claim.resource}.${claim.group}`;
  const source = `policy ${decision.policy ?? "(none)"}, rule ${decision.rule ?? "(none)"}`;
  const reason = decision.reason?.trim() ? `: ${decision.reason.trim()}` : "";
  return `claim on ${resource} (selector: ${decision.shapes.join(", ")}) ${verdict} ${source}${reason}`;
}
