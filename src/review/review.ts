import type { ClaimDirection } from "../core/service-binding.js";
import type { Finding } from "../core/finding.js";
import type { ClaimScope, PolicyEffect, SelectorShape } from "../policy/claim-policy.js";

/** The values of `review -o`. */
export const reviewFormats = ["text", "markdown", "json"] as const;
export type ReviewFormat = (typeof reviewFormats)[number];

/**
 * How much a change grants, from `high` (Secrets or identities, everywhere or every one of them)
 * to `info` (grants nothing new). The grading table is in ADR 0008.
 */
export type Grade = "high" | "medium" | "low" | "info";

/** Grades from the most to the least serious: the order reports list them in. */
export const grades: readonly Grade[] = ["high", "medium", "low", "info"];

/**
 * The outcome of a review: `fail` when a claim policy denies a change or the head revision does
 * not validate (exit 2), `needs-approval` when a policy asks a reviewer to approve a change,
 * `pass` otherwise.
 */
export type Verdict = "pass" | "needs-approval" | "fail";

/** The kinds of object a review compares. */
export type SubjectKind = "ServiceBinding" | "APIServiceExportTemplate" | "ClaimPolicy";

/** The object a change is about. */
export interface ReviewSubject {
  kind: SubjectKind;
  name: string;
  /**
   * A binding's consumer cluster, or the folder under providers/ a template lives in; absent for
   * policies.
   */
  scope?: string;
}

/** What changed; the order here is the order a subject's changes are listed in. */
export const changeKinds = [
  "added",
  "removed",
  "moved",
  "retargeted",
  "namespaces-changed",
  "isolation-changed",
  "resource-added",
  "resource-removed",
  "claim-added",
  "claim-widened",
  "claim-changed",
  "claim-narrowed",
  "claim-rewritten",
  "claim-removed",
  "rule-added",
  "rule-changed",
  "rule-removed",
] as const;

/**
 * - `added` / `removed`: the binding, template or policy itself;
 * - `moved`: a binding now on another consumer; `retargeted`: another provider or template;
 * - `claim-widened` / `claim-narrowed`: the claim selects more / less (selector, direction,
 *   namespaces); `claim-changed`: more in one way and less in another; `claim-rewritten`: written
 *   differently, selecting the same objects;
 * - `rule-*`: a rule of a ClaimPolicy of the repository.
 */
export type ChangeKind = (typeof changeKinds)[number];

/** What the policies and the grading see of one claim. */
export interface ClaimFacts {
  /** `""` for the core group. */
  group: string;
  resource: string;
  shapes: SelectorShape[];
  scope: ClaimScope;
  direction: ClaimDirection;
}

/** Where a change is: a file of the head revision, or of the base for what the head removed. */
export interface ReviewLocation {
  side: "base" | "head";
  /** Relative to the reviewed folder, forward slashes. */
  file: string;
  /** 1-based. */
  line?: number;
  col?: number;
}

/** The claim policies' decision on the claim a change grants. */
export interface PolicyVerdict {
  effect: PolicyEffect;
  /** Absent when no rule matched (allowed). */
  policy?: string;
  rule?: string;
  reason?: string;
  /**
   * Whose policies decided: the claim is judged by the policies of both revisions and the
   * stricter decision counts, so a pull request cannot loosen a policy and use it at once.
   */
  decidedBy: "base" | "head" | "both";
}

/** One change a reviewer has to understand. */
export interface ReviewChange {
  subject: ReviewSubject;
  kind: ChangeKind;
  /** One line, in words: `Secrets claim widened`. */
  title: string;
  /** What exactly changed, one fact a line (`labelSelector: app=orders → {} (every Secret)`). */
  details: string[];
  grade: Grade;
  /** Why the change has its grade: `Secrets`, `cluster-wide`, ... */
  reasons: string[];
  /** The claim a claim change is about, before and after. */
  claim?: {
    group: string;
    resource: string;
    before?: ClaimFacts;
    after?: ClaimFacts;
  };
  policy?: PolicyVerdict;
  location?: ReviewLocation;
}

/** A finding of `validate` on the head revision, marked when the base did not have it. */
export interface ReviewFinding extends Finding {
  new: boolean;
}

/** Counts for summaries and the check run's title. */
export interface ReviewCounts {
  changes: number;
  high: number;
  medium: number;
  low: number;
  info: number;
  denied: number;
  needApproval: number;
}

/** A review of the permission claims between two revisions: what `bindops review` prints. */
export interface Review {
  base: { revision: string };
  head: { revision: string };
  verdict: Verdict;
  counts: ReviewCounts;
  /** In a stable order: by subject (bindings, templates, policies; by scope and name), then kind. */
  changes: ReviewChange[];
  validation: {
    base: { errors: number; warnings: number };
    head: { errors: number; warnings: number };
    /**
     * The head's errors, and its warnings the base did not have, in report order; the claim
     * policies' findings on changed claims are left out (the changes carry the decisions).
     */
    findings: ReviewFinding[];
  };
}
