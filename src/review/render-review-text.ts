import { printable } from "../report/printable.js";
import type { Grade, PolicyVerdict, Review, ReviewChange, ReviewSubject } from "./review.js";

/** Options of {@link renderReviewText}. */
export interface ReviewTextOptions {
  /** ANSI colours for a terminal. */
  color?: boolean;
}

const ansi = {
  red: "\u001b[31m",
  yellow: "\u001b[33m",
  green: "\u001b[32m",
  bold: "\u001b[1m",
  dim: "\u001b[2m",
  reset: "\u001b[0m",
} as const;

const gradeStyle: Record<Grade, string> = {
  high: ansi.bold + ansi.red,
  medium: ansi.yellow,
  low: "",
  info: ansi.dim,
};

/**
 * The review for a terminal or a job log: a verdict line, then each subject with its changes
 * (`file:line  grade  title`, the details indented under it, why, and the policy's decision),
 * then the head's validation findings.
 */
export function renderReviewText(review: Review, options: ReviewTextOptions = {}): string {
  const paint = (text: string, style: string) =>
    options.color === true && style !== "" ? `${style}${text}${ansi.reset}` : text;
  const lines: string[] = [];
  const { counts } = review;
  const verdict =
    review.verdict === "fail"
      ? paint("FAIL", ansi.bold + ansi.red)
      : review.verdict === "needs-approval"
        ? paint("NEEDS APPROVAL", ansi.bold + ansi.yellow)
        : paint("PASS", ansi.bold + ansi.green);
  const grades = (["high", "medium", "low", "info"] as const)
    .filter((g) => counts[g] > 0)
    .map((g) => `${counts[g]} ${g}`);
  const policy = [
    ...(counts.denied > 0 ? [`${counts.denied} denied`] : []),
    ...(counts.needApproval > 0 ? [`${counts.needApproval} need approval`] : []),
  ];
  lines.push(
    `bindops review: ${verdict} — ${counts.changes} change${counts.changes === 1 ? "" : "s"}${grades.length ? ` (${grades.join(", ")})` : ""}${policy.length ? `; ${policy.join(", ")}` : ""}`,
    `base ${review.base.revision.slice(0, 12)}  head ${review.head.revision.slice(0, 12)}`,
  );
  if (review.changes.length === 0) {
    lines.push("", "no permission-claim changes");
  }
  let subject: string | undefined;
  for (const change of review.changes) {
    const key = subjectLine(change.subject);
    if (key !== subject) lines.push("", paint(key, ansi.bold));
    subject = key;
    lines.push(...changeLines(change, paint));
  }
  const { validation } = review;
  lines.push(
    "",
    `validation of head: ${validation.head.errors} error${validation.head.errors === 1 ? "" : "s"}, ${validation.head.warnings} warning${validation.head.warnings === 1 ? "" : "s"} (base: ${validation.base.errors} error${validation.base.errors === 1 ? "" : "s"})`,
  );
  for (const f of validation.findings) {
    const where = `${f.location.file}:${f.location.line ?? 1}:${f.location.col ?? 1}`;
    const severity = paint(f.severity, f.severity === "error" ? ansi.red : ansi.yellow);
    lines.push(
      `  ${printable(where)}: ${severity} [${f.rule}] ${printable(f.message, { lines: true })}${f.new ? " (new)" : ""}`,
    );
  }
  return lines.join("\n") + "\n";
}

function subjectLine(subject: ReviewSubject): string {
  const scope = subject.scope === undefined ? "" : `${subject.scope}/`;
  return printable(`${subject.kind} ${scope}${subject.name}`);
}

function changeLines(
  change: ReviewChange,
  paint: (text: string, style: string) => string,
): string[] {
  const where = change.location
    ? `${change.location.file}${change.location.line ? `:${change.location.line}` : ""}${change.location.side === "base" ? " (base)" : ""}`
    : "";
  const lines = [
    `  ${paint(change.grade.padEnd(6), gradeStyle[change.grade])}  ${printable(change.title)}${where ? `  ${paint(printable(where), ansi.dim)}` : ""}`,
  ];
  for (const detail of change.details) lines.push(`          ${printable(detail)}`);
  if (change.grade !== "info" && change.reasons.length > 0) {
    lines.push(`          why ${change.grade}: ${printable(change.reasons.join("; "))}`);
  }
  if (change.policy) lines.push(`          ${policyText(change.policy, paint)}`);
  return lines;
}

function policyText(policy: PolicyVerdict, paint: (text: string, style: string) => string): string {
  const rule =
    policy.rule === undefined ? "no rule matched" : `${policy.policy ?? ""}/${policy.rule}`;
  const whose =
    policy.decidedBy === "base"
      ? " (base policy)"
      : policy.decidedBy === "head"
        ? " (head policy)"
        : "";
  const reason = policy.reason ? `: ${printable(policy.reason)}` : "";
  switch (policy.effect) {
    case "deny":
      return `${paint("DENIED", ansi.bold + ansi.red)} by ${printable(rule)}${whose}${reason}`;
    case "require-approval":
      return `${paint("NEEDS APPROVAL", ansi.bold + ansi.yellow)} under ${printable(rule)}${whose}${reason}`;
    case "allow":
      return `allowed: ${printable(rule)}${whose}`;
  }
}
