import { compareStrings } from "../core/finding.js";
import type { ManifestDocument } from "../core/manifest.js";
import type {
  ClaimPolicy,
  ClaimScope,
  PolicyEffect,
  PolicyRule,
  RuleMatch,
  SelectorShape,
} from "./claim-policy.js";
import { claimScope } from "./claim-scope.js";
import { claimShape } from "./claim-shape.js";
import type { PermissionClaim, ServiceBinding } from "../core/service-binding.js";
import { serviceBindingOf } from "../core/service-binding.js";

/** The outcome of the claim policies for one permission claim of one binding. */
export interface PolicyDecision {
  binding: { file: string; index: number; name: string };
  /** Index in `spec.permissionClaims`. */
  claimIndex: number;
  claim: PermissionClaim;
  /** The claim's selector shapes and scope, as the rules saw them. */
  shapes: SelectorShape[];
  scope: ClaimScope;
  /** `allow` without `policy` and `rule` when no rule matched. */
  effect: PolicyEffect;
  policy?: string;
  rule?: string;
  reason?: string;
}

/**
 * Decides every permission claim of every `ServiceBinding` in `bindings` (other kinds are
 * ignored). Policies are tried in the order given (`loadPolicies` returns them in name order;
 * `validate` puts the repository's policies before bindops's shipped defaults, so an
 * organisation's rules always come first) and their rules in order; the first rule that matches
 * decides, and a claim no rule matches is allowed. Decisions come in file, document and claim
 * order.
 */
export function evaluateClaims(
  bindings: readonly ManifestDocument[],
  policies: readonly ClaimPolicy[],
): PolicyDecision[] {
  const views = bindings
    .map(serviceBindingOf)
    .filter((b): b is ServiceBinding => b !== undefined)
    .sort((a, b) => compareStrings(a.file, b.file) || a.index - b.index);
  return views.flatMap((binding) =>
    binding.claims.map((claim, claimIndex) => decide(binding, claim, claimIndex, policies)),
  );
}

function decide(
  binding: ServiceBinding,
  claim: PermissionClaim,
  claimIndex: number,
  policies: readonly ClaimPolicy[],
): PolicyDecision {
  const facts: ClaimFacts = {
    binding,
    claim,
    shapes: claimShape(claim),
    scope: claimScope(claim, binding),
  };
  const base = {
    binding: { file: binding.file, index: binding.index, name: binding.name },
    claimIndex,
    claim,
    shapes: facts.shapes,
    scope: facts.scope,
  };
  for (const policy of policies) {
    const rule = policy.rules.find((r) => ruleMatches(r.match, facts, r.effect));
    if (rule !== undefined) return { ...base, ...outcome(policy, rule) };
  }
  return { ...base, effect: "allow" };
}

function outcome(
  policy: ClaimPolicy,
  rule: PolicyRule,
): Pick<PolicyDecision, "effect" | "policy" | "rule" | "reason"> {
  return {
    effect: rule.effect,
    policy: policy.name,
    rule: rule.name,
    ...(rule.reason === undefined ? {} : { reason: rule.reason }),
  };
}

interface ClaimFacts {
  binding: ServiceBinding;
  claim: PermissionClaim;
  shapes: SelectorShape[];
  scope: ClaimScope;
}

/**
 * Whether a rule's `match` applies to a claim. A claim can have several selector shapes (its
 * branches are OR'ed) and, with direction Both, two directions. A `deny` or `require-approval`
 * rule applies when any of them is listed; an `allow` rule only when all of them are, so that an
 * allow written for, say, label selectors never lets a match-all branch through beside one.
 */
function ruleMatches(match: RuleMatch, facts: ClaimFacts, effect: PolicyEffect): boolean {
  const { binding, claim } = facts;
  const several = effect === "allow" ? listedAll : listed;
  return (
    listed(match.groups, [claim.group]) &&
    listed(match.resources, [claim.resource]) &&
    several(match.selectors, facts.shapes) &&
    listed(match.scopes, [facts.scope]) &&
    several(match.directions?.flatMap(directionsOf), directionsOf(claim.direction)) &&
    listed(match.providers, optional(binding.provider)) &&
    listed(match.consumers, optional(binding.consumer)) &&
    listed(match.templates, optional(binding.template))
  );
}

/** An absent condition matches anything; otherwise one of `values` must be listed. */
function listed(condition: readonly string[] | undefined, values: readonly string[]): boolean {
  return condition === undefined || values.some((v) => condition.includes(v));
}

/** An absent condition matches anything; otherwise every one of `values` must be listed. */
function listedAll(condition: readonly string[] | undefined, values: readonly string[]): boolean {
  return (
    condition === undefined || (values.length > 0 && values.every((v) => condition.includes(v)))
  );
}

// A claim in both directions does both things a direction rule can be about.
function directionsOf(direction: string): string[] {
  return direction === "Both" ? ["ProviderToConsumer", "ConsumerToProvider"] : [direction];
}

function optional(value: string | undefined): string[] {
  return value === undefined ? [] : [value];
}
