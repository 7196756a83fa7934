import { bindopsApiVersion } from "../core/kube-groups.js";

/** What a matching rule decides about a claim. */
export type PolicyEffect = "deny" | "require-approval" | "allow";

export const policyEffects: readonly PolicyEffect[] = ["deny", "require-approval", "allow"];

/**
 * The shape of a claim's selector:
 * - `Label`: a `labelSelector` with at least one `matchLabels` or `matchExpressions` entry;
 * - `MatchAll`: `labelSelector: {}`, which selects every object of the resource;
 * - `Named`: a non-empty `namedResources`;
 * - `Reference`: a non-empty `references`;
 * - `Empty`: none of the above, which selects nothing.
 */
export type SelectorShape = "Label" | "MatchAll" | "Named" | "Reference" | "Empty";

export const selectorShapes: readonly SelectorShape[] = [
  "Label",
  "MatchAll",
  "Named",
  "Reference",
  "Empty",
];

/** Whether a claim reaches objects in a known set of namespaces or anywhere in the cluster. */
export type ClaimScope = "Namespaced" | "Cluster";

/**
 * The conditions of a rule. Every field that is present must match (AND); an absent field matches
 * anything; a present but empty list matches nothing.
 */
export interface RuleMatch {
  /** API groups; `""` is the core group. */
  groups?: string[];
  resources?: string[];
  /** Matches when any of the claim's selector shapes is listed. */
  selectors?: string[];
  scopes?: string[];
  /** `ProviderToConsumer` and/or `ConsumerToProvider`; a claim with `Both` matches either. */
  directions?: string[];
  providers?: string[];
  consumers?: string[];
  templates?: string[];
}

export interface PolicyRule {
  name: string;
  effect: PolicyEffect;
  reason?: string;
  match: RuleMatch;
  /** Position in `spec.rules`, for pointing at the rule. */
  index: number;
}

/** A typed view of a `bindops.dev/v1alpha1` `ClaimPolicy` document. */
export interface ClaimPolicy {
  /** `metadata.name`, or `<file>#<index>` when the document has none. */
  name: string;
  file: string;
  /** 0-based document index within `file`. */
  document: number;
  /** The usable rules in order; entries without a name or a known effect are left out. */
  rules: PolicyRule[];
}

export const claimPolicyApiVersion = bindopsApiVersion;
