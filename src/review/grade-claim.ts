import { claimedObject, claimedObjects } from "./describe-claim.js";
import type { ClaimFacts, Grade } from "./review.js";

/** Claims whose objects are credentials or identities. */
const sensitive: Record<string, string> = {
  secrets: "Secrets: credentials, tokens and keys",
  serviceaccounts: "ServiceAccounts: identities in the consumer cluster",
};

/**
 * The grade of a claim that a change grants (added, or wider than before), from the facts of the
 * claim after the change (ADR 0008):
 *
 * | grade  | when                                                                            |
 * | ------ | ------------------------------------------------------------------------------- |
 * | high   | Secrets or ServiceAccounts, and every one of them (`labelSelector: {}`) or cluster-wide |
 * | medium | Secrets or ServiceAccounts otherwise; any other claim on every object or cluster-wide  |
 * | low    | anything else: a narrow selector in named namespaces, or a selector that selects nothing |
 *
 * The direction is named among the reasons and does not change the grade: both directions hand
 * the provider the objects (a copy, or the power to write them).
 *
 * @param where `template` for a template's claim, which a consumer binding the template with
 *   `kubectl bind` accepts whole, in every namespace.
 */
export function gradeClaim(
  facts: ClaimFacts,
  where: "binding" | "template",
): { grade: Grade; reasons: string[] } {
  const reasons: string[] = [];
  const secretLike = facts.group === "" ? sensitive[facts.resource] : undefined;
  if (secretLike !== undefined) reasons.push(secretLike);
  const one = claimedObject(facts.group, facts.resource);
  if (facts.shapes.length === 1 && facts.shapes[0] === "Empty") {
    reasons.push("selects nothing (no labelSelector, namedResources or references)");
    return { grade: "low", reasons };
  }
  const everything = facts.shapes.includes("MatchAll");
  if (everything) reasons.push(`no selector: every ${one} in scope (labelSelector {})`);
  const clusterWide = facts.scope === "Cluster";
  if (clusterWide) {
    reasons.push(
      where === "template"
        ? "cluster-wide: a consumer binding the template whole grants it in every namespace"
        : "cluster-wide: the binding lists no namespaces",
    );
  }
  const objects = claimedObjects(facts.group, facts.resource);
  if (facts.direction !== "ConsumerToProvider") {
    reasons.push(`write direction: the provider writes ${objects} into the consumer cluster`);
  }
  if (facts.direction !== "ProviderToConsumer") {
    reasons.push(`the consumer's ${objects} are copied to the provider`);
  }
  const broad = everything || clusterWide;
  const grade: Grade =
    secretLike !== undefined ? (broad ? "high" : "medium") : broad ? "medium" : "low";
  return { grade, reasons };
}
