import type { Review, ReviewChange } from "./review.js";

/** A check run annotation, as GitHub's REST API takes it. */
export interface CheckRunAnnotation {
  /** Relative to the repository's top level. */
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  /** At most 255 characters. */
  title: string;
  message: string;
}

/** GitHub's limits on an annotation's fields. */
const maxTitle = 255;
const maxMessage = 64 * 1024 - 1;

/**
 * One annotation per change that grants something (grade above `info`) or that a policy denies or
 * sends for approval, at its line in the head revision, and one per validation error of the head:
 * `failure` for what fails the review, `warning` for approvals and `high` grades, `notice` for the
 * rest. Changes in files the head removed have no line to point at; the comment lists them.
 */
export function checkRunAnnotations(review: Review): CheckRunAnnotation[] {
  const annotations: CheckRunAnnotation[] = [];
  for (const change of review.changes) {
    const { location } = change;
    if (location?.side !== "head" || location.line === undefined) continue;
    const effect = change.policy?.effect;
    if (change.grade === "info" && (effect === undefined || effect === "allow")) continue;
    annotations.push({
      path: location.file,
      start_line: location.line,
      end_line: location.line,
      annotation_level:
        effect === "deny"
          ? "failure"
          : effect === "require-approval" || change.grade === "high"
            ? "warning"
            : "notice",
      title: clip(
        `${change.grade}: ${change.subject.kind} ${change.subject.name}: ${change.title}`,
        maxTitle,
      ),
      message: clip(messageOf(change), maxMessage),
    });
  }
  for (const finding of review.validation.findings) {
    if (finding.severity !== "error") continue;
    annotations.push({
      path: finding.location.file,
      start_line: finding.location.line ?? 1,
      end_line: finding.location.line ?? 1,
      annotation_level: "failure",
      title: clip(`validate: ${finding.rule}`, maxTitle),
      message: clip(finding.message, maxMessage),
    });
  }
  return annotations;
}

function messageOf(change: ReviewChange): string {
  const lines = [...change.details];
  if (change.grade !== "info") lines.push(`why ${change.grade}: ${change.reasons.join("; ")}`);
  const policy = change.policy;
  if (policy && policy.effect !== "allow") {
    const verdict = policy.effect === "deny" ? "denied by" : "needs approval under";
    lines.push(
      `${verdict} policy ${policy.policy ?? ""}, rule ${policy.rule ?? ""}${policy.reason ? `: ${policy.reason}` : ""}`,
    );
  }
  return lines.join("\n") || change.title;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
