import { compareStrings, type Finding } from "../core/finding.js";
import type { ManifestDocument } from "../core/manifest.js";
import type { Snapshot } from "../core/snapshot.js";
import { loadFiles } from "../manifests/load-files.js";
import type { ClaimPolicy, PolicyEffect } from "../policy/claim-policy.js";
import { evaluateClaims, type PolicyDecision } from "../policy/evaluate-claims.js";
import type { ValidateReport } from "../report/validate-report.js";
import type { ChangeDraft } from "./change-draft.js";
import { diffBindings } from "./diff-bindings.js";
import { diffPolicies } from "./diff-policies.js";
import { diffTemplates } from "./diff-templates.js";
import { loadReviewDocuments } from "./load-review-documents.js";
import {
  changeKinds,
  type PolicyVerdict,
  type Review,
  type ReviewChange,
  type ReviewCounts,
  type ReviewFinding,
  type SubjectKind,
} from "./review.js";
import { reviewSideOf, type ReviewSide } from "./review-side.js";

/** One revision to review: its files, and what `validate` made of them. */
export interface ReviewRevision {
  snapshot: Snapshot;
  report: ValidateReport;
}

/** What {@link assembleReview} compares. */
export interface ReviewInput {
  base: ReviewRevision;
  head: ReviewRevision;
  /** `--policy` folders, the same for both revisions. */
  policies?: readonly Snapshot[];
  /** bindops's shipped default policies. */
  defaultPolicies?: Snapshot;
  signal?: AbortSignal;
}

/**
 * The review of the permission claims between two revisions: each change to a binding, a template
 * or a policy of the repository, graded, with the claim policies' decision on what it grants, and
 * the verdict. Pure: the revisions were read and validated by the caller.
 */
export function assembleReview(input: ReviewInput): Review {
  const { signal } = input;
  const loaded = loadReviewDocuments(input.base.snapshot, input.head.snapshot, {
    ...(signal ? { signal } : {}),
  });
  const extra = {
    policies: (input.policies ?? []).flatMap((s) => loadFiles(s.files).documents),
    defaults: input.defaultPolicies ? loadFiles(input.defaultPolicies.files).documents : [],
  };
  const base = reviewSideOf(loaded.base, extra);
  const head = reviewSideOf(loaded.head, extra);
  signal?.throwIfAborted();

  const drafts = [
    ...diffBindings(base, head),
    ...diffTemplates(base, head),
    ...diffPolicies(base.ownPolicies, head.ownPolicies),
  ];
  // Only the bindings whose claims a change grants need the policies' decision.
  const judged = new Set(
    drafts.flatMap((d) => (d.decide ? [`${d.decide.file}\0${d.decide.document}`] : [])),
  );
  const decide = policyJudge(
    head.bindingDocuments.filter((d) => judged.has(`${d.file}\0${d.index}`)),
    base.policies,
    head.policies,
  );
  const changes = drafts.map((draft) => finish(draft, { base, head }, decide)).sort(compareChanges);

  const validation = validationOf(input.base.report, input.head.report, changes);
  const counts = countsOf(changes);
  const verdict =
    counts.denied > 0 || validation.head.errors > 0
      ? "fail"
      : counts.needApproval > 0
        ? "needs-approval"
        : "pass";
  return {
    base: { revision: input.base.snapshot.revision },
    head: { revision: input.head.snapshot.revision },
    verdict,
    counts,
    changes,
    validation,
  };
}

const strictness: Record<PolicyEffect, number> = { allow: 0, "require-approval": 1, deny: 2 };

/**
 * Decides the claims of the head's bindings under the base's policies and under the head's, and
 * keeps the stricter decision: a pull request that loosens a policy and uses it at once is judged
 * by the policy it started from.
 */
function policyJudge(
  bindings: readonly ManifestDocument[],
  basePolicies: readonly ClaimPolicy[],
  headPolicies: readonly ClaimPolicy[],
): (claim: { file: string; document: number; claimIndex: number }) => PolicyVerdict | undefined {
  const key = (file: string, document: number, claimIndex: number) =>
    `${file}\0${document}\0${claimIndex}`;
  const decisions = (policies: readonly ClaimPolicy[]) =>
    new Map(
      evaluateClaims(bindings, policies).map((d) => [
        key(d.binding.file, d.binding.index, d.claimIndex),
        d,
      ]),
    );
  const underBase = decisions(basePolicies);
  const underHead = decisions(headPolicies);
  return ({ file, document, claimIndex }) => {
    const k = key(file, document, claimIndex);
    const [b, h] = [underBase.get(k), underHead.get(k)];
    if (b === undefined || h === undefined) return undefined;
    const same = b.effect === h.effect && b.policy === h.policy && b.rule === h.rule;
    if (same) return verdictOf(h, "both");
    return strictness[b.effect] > strictness[h.effect]
      ? verdictOf(b, "base")
      : verdictOf(h, "head");
  };
}

function verdictOf(decision: PolicyDecision, decidedBy: PolicyVerdict["decidedBy"]): PolicyVerdict {
  return {
    effect: decision.effect,
    ...(decision.policy === undefined ? {} : { policy: decision.policy }),
    ...(decision.rule === undefined ? {} : { rule: decision.rule }),
    ...(decision.reason === undefined ? {} : { reason: decision.reason.trim() }),
    decidedBy,
  };
}

function finish(
  draft: ChangeDraft,
  sides: { base: ReviewSide; head: ReviewSide },
  decide: ReturnType<typeof policyJudge>,
): ReviewChange {
  const { at, decide: claim, ...change } = draft;
  const policy = claim ? decide(claim) : undefined;
  if (at === undefined) return { ...change, ...(policy ? { policy } : {}) };
  const position = sides[at.side].sources.locate(at.file, at.document, at.pointer);
  return {
    ...change,
    ...(policy ? { policy } : {}),
    location: { side: at.side, file: at.file, ...(position ?? {}) },
  };
}

const subjectOrder: Record<SubjectKind, number> = {
  ServiceBinding: 0,
  APIServiceExportTemplate: 1,
  ClaimPolicy: 2,
};

function compareChanges(a: ReviewChange, b: ReviewChange): number {
  return (
    subjectOrder[a.subject.kind] - subjectOrder[b.subject.kind] ||
    compareStrings(a.subject.scope ?? "", b.subject.scope ?? "") ||
    compareStrings(a.subject.name, b.subject.name) ||
    changeKinds.indexOf(a.kind) - changeKinds.indexOf(b.kind) ||
    compareStrings(a.claim?.group ?? "", b.claim?.group ?? "") ||
    compareStrings(a.claim?.resource ?? "", b.claim?.resource ?? "") ||
    compareStrings(a.title, b.title)
  );
}

function countsOf(changes: readonly ReviewChange[]): ReviewCounts {
  const counts: ReviewCounts = {
    changes: changes.length,
    high: 0,
    medium: 0,
    low: 0,
    info: 0,
    denied: 0,
    needApproval: 0,
  };
  for (const change of changes) {
    counts[change.grade]++;
    if (change.policy?.effect === "deny") counts.denied++;
    if (change.policy?.effect === "require-approval") counts.needApproval++;
  }
  return counts;
}

const findingKey = (f: Finding) =>
  [f.rule, f.location.file, f.location.document ?? "", f.location.pointer ?? "", f.message].join(
    "\0",
  );

/** The claim policies' findings, which the changes carry as their verdicts. */
const policyRules = new Set(["policy-denied", "policy-requires-approval"]);

function validationOf(
  base: ValidateReport,
  head: ValidateReport,
  changes: readonly ReviewChange[],
): Review["validation"] {
  const count = (report: ValidateReport) => {
    const errors = report.findings.filter((f) => f.severity === "error").length;
    return { errors, warnings: report.findings.length - errors };
  };
  const judged = new Set(
    changes
      .filter((c) => c.policy !== undefined && c.location?.side === "head")
      .map((c) => `${c.location!.file}:${c.location!.line}`),
  );
  const before = new Set(base.findings.map(findingKey));
  const findings: ReviewFinding[] = head.findings
    .filter(
      (f) => !(policyRules.has(f.rule) && judged.has(`${f.location.file}:${f.location.line}`)),
    )
    .map((f) => ({ ...f, new: !before.has(findingKey(f)) }))
    .filter((f) => f.severity === "error" || f.new);
  return { base: count(base), head: count(head), findings };
}
