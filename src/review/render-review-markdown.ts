import type {
  Grade,
  PolicyVerdict,
  Review,
  ReviewChange,
  ReviewFinding,
  ReviewLocation,
  ReviewSubject,
} from "./review.js";

/** Options of {@link renderReviewMarkdown}. */
export interface MarkdownOptions {
  /**
   * A hidden first line that finds the comment again (`<!-- bindops-review -->`); the GitHub
   * adapter passes its marker.
   */
  marker?: string;
  /** A link to a file of the head revision at a line, when the report is shown on a forge. */
  link?: (file: string, line: number | undefined) => string | undefined;
  /**
   * The longest text to return (GitHub takes 65,536 characters in a comment): sections that do
   * not fit are left out, with a note saying how many changes are missing.
   */
  maxLength?: number;
}

const gradeMark: Record<Grade, string> = {
  high: "🔴 high",
  medium: "🟠 medium",
  low: "🟡 low",
  info: "⚪ info",
};

const verdictTitle: Record<Review["verdict"], string> = {
  fail: "❌ changes refused",
  "needs-approval": "⚠️ approval needed",
  pass: "✅ no objection",
};

/**
 * The review as Markdown for a pull request: the verdict and counts, the changes that need
 * attention (denied, needing approval, or high) in a table, then every change grouped by the
 * binding, template or policy it is about, with what exactly changed, why it has its grade and
 * what the claim policies decided; then the head's validation errors.
 */
export function renderReviewMarkdown(review: Review, options: MarkdownOptions = {}): string {
  const head: string[] = [];
  if (options.marker) head.push(options.marker);
  head.push(`## bindops review: ${headline(review)}`, "", summaryLine(review), "");
  if (review.validation.head.errors > 0) {
    const fresh = review.validation.findings.filter((f) => f.severity === "error" && f.new).length;
    head.push(
      `> **The head revision does not validate:** ${plural(review.validation.head.errors, "error")}${fresh > 0 ? ` (${fresh} new)` : ""}; see _Validation_ below.`,
      "",
    );
  }
  if (review.changes.length === 0) {
    head.push(
      "No permission-claim changes: no binding, template or claim policy grants or takes away anything.",
      "",
    );
  }
  const attention = review.changes.filter(needsAttention).sort(byUrgency);
  if (attention.length > 0) {
    head.push("### Needs attention", "", "| grade | change | policy |", "| --- | --- | --- |");
    for (const change of attention) {
      head.push(
        `| ${gradeMark[change.grade]} | ${subjectText(change.subject)}: ${escape(change.title)} | ${change.policy ? policyShort(change.policy) : ""} |`,
      );
    }
    head.push("");
  }

  const sections = groupBySubject(review.changes).map((group) => ({
    text: section(group, options).join("\n") + "\n",
    changes: group.length,
  }));
  const tail = validationSection(review.validation.findings, options);
  const limit = options.maxLength ?? Infinity;
  let text = head.join("\n") + "\n";
  let omitted = 0;
  for (const { text: part, changes } of sections) {
    // Room for the note about what was left out, and the validation section.
    if (omitted > 0 || text.length + part.length + tail.length + 400 > limit) {
      omitted += changes;
      continue;
    }
    text += part;
  }
  if (omitted > 0) {
    text += `_${plural(omitted, "more change")} not shown: the comment would be too long. \`bindops review -o text\` lists every change._\n\n`;
  }
  if (text.length + tail.length <= limit) text += tail;
  return text.length <= limit ? text : text.slice(0, Math.max(0, limit - 1)) + "…";
}

function headline(review: Review): string {
  if (review.verdict !== "fail") return verdictTitle[review.verdict];
  return review.counts.denied > 0
    ? "❌ denied by policy"
    : "❌ the head revision does not validate";
}

function summaryLine(review: Review): string {
  const { counts } = review;
  const parts: string[] = [];
  if (counts.denied > 0) parts.push(`**${counts.denied} denied**`);
  if (counts.needApproval > 0)
    parts.push(`**${counts.needApproval} need${counts.needApproval === 1 ? "s" : ""} approval**`);
  const byGrade = (["high", "medium", "low", "info"] as const)
    .filter((g) => counts[g] > 0)
    .map((g) => `${counts[g]} ${g}`)
    .join(", ");
  parts.push(`${plural(counts.changes, "change")}${byGrade ? ` (${byGrade})` : ""}`);
  parts.push(`\`${review.base.revision.slice(0, 12)}\` → \`${review.head.revision.slice(0, 12)}\``);
  return parts.join(" · ");
}

function needsAttention(change: ReviewChange): boolean {
  return (
    change.grade === "high" || (change.policy !== undefined && change.policy.effect !== "allow")
  );
}

function urgency(change: ReviewChange): number {
  if (change.policy?.effect === "deny") return 0;
  if (change.policy?.effect === "require-approval") return 1;
  return 2;
}

function byUrgency(a: ReviewChange, b: ReviewChange): number {
  return urgency(a) - urgency(b);
}

/** Changes of the same subject, in the order given (the review's order groups them already). */
function groupBySubject(changes: readonly ReviewChange[]): ReviewChange[][] {
  const groups: ReviewChange[][] = [];
  let key: string | undefined;
  for (const change of changes) {
    const k = `${change.subject.kind}\0${change.subject.scope ?? ""}\0${change.subject.name}`;
    if (k !== key) groups.push([]);
    key = k;
    groups.at(-1)!.push(change);
  }
  return groups;
}

function subjectText(subject: ReviewSubject): string {
  const scope =
    subject.scope === undefined
      ? ""
      : subject.kind === "ServiceBinding"
        ? ` (consumer ${code(subject.scope)})`
        : ` (provider ${code(subject.scope)})`;
  return `${code(subject.name)}${scope}`;
}

function section(changes: readonly ReviewChange[], options: MarkdownOptions): string[] {
  const first = changes[0]!;
  const { subject } = first;
  const scope =
    subject.scope === undefined
      ? ""
      : ` · ${subject.kind === "ServiceBinding" ? "consumer" : "provider"} ${code(subject.scope)}`;
  const lines = [`### ${subject.kind} ${code(subject.name)}${scope}`, ""];
  for (const change of changes) {
    const where = change.location ? ` · ${locationText(change.location, options)}` : "";
    lines.push(`- ${gradeMark[change.grade]} · **${escape(change.title)}**${where}`);
    for (const detail of change.details) lines.push(`  - ${escape(detail)}`);
    if (change.grade !== "info" && change.reasons.length > 0) {
      lines.push(`  - _why ${change.grade}:_ ${change.reasons.map(escape).join("; ")}`);
    }
    if (change.policy) lines.push(`  - ${policyLong(change.policy)}`);
  }
  lines.push("");
  return lines;
}

function locationText(location: ReviewLocation, options: MarkdownOptions): string {
  const label = `${location.file}${location.line ? `:${location.line}` : ""}`;
  if (location.side === "base") return `${code(label)} (removed)`;
  const url = options.link?.(location.file, location.line);
  return url ? `[${code(label)}](${url})` : code(label);
}

function policyShort(policy: PolicyVerdict): string {
  const rule = policy.rule
    ? `${code(policy.policy ?? "")} / ${code(policy.rule)}`
    : "no rule matched";
  switch (policy.effect) {
    case "deny":
      return `⛔ denied: ${rule}${policy.decidedBy === "base" ? " (base policy)" : ""}`;
    case "require-approval":
      return `✋ needs approval: ${rule}${policy.decidedBy === "base" ? " (base policy)" : ""}`;
    case "allow":
      return `allowed: ${rule}`;
  }
}

function policyLong(policy: PolicyVerdict): string {
  const by =
    policy.rule === undefined
      ? "no claim policy rule matches: allowed"
      : `policy ${code(policy.policy ?? "")}, rule ${code(policy.rule)}`;
  const whose =
    policy.decidedBy === "base"
      ? " (the policies before this change, which are stricter than those it brings)"
      : policy.decidedBy === "head"
        ? " (the policies this change brings)"
        : "";
  const reason = policy.reason ? `: ${escape(policy.reason)}` : "";
  switch (policy.effect) {
    case "deny":
      return `⛔ **denied** by ${by}${whose}${reason}`;
    case "require-approval":
      return `✋ **needs approval** under ${by}${whose}${reason}`;
    case "allow":
      return policy.rule === undefined ? `_${by}_` : `allowed by ${by}${whose}`;
  }
}

function validationSection(findings: readonly ReviewFinding[], options: MarkdownOptions): string {
  if (findings.length === 0) return "";
  const shown = findings.slice(0, 30);
  const lines = ["### Validation of the head revision", ""];
  for (const f of shown) {
    const where = locationText(
      {
        side: "head",
        file: f.location.file,
        ...(f.location.line ? { line: f.location.line } : {}),
      },
      options,
    );
    lines.push(
      `- ${f.severity === "error" ? "❌ error" : "⚠️ warning"}${f.new ? " (new)" : ""} ${where} ${code(f.rule)}: ${escape(f.message)}`,
    );
  }
  if (findings.length > shown.length) {
    lines.push(
      `- … ${plural(findings.length - shown.length, "more finding")}: \`bindops validate\` lists them all`,
    );
  }
  return lines.join("\n") + "\n\n";
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Inline code that survives backticks in the text. */
function code(text: string): string {
  const clean = text.replace(/[\r\n]+/g, " ");
  return clean.includes("`") ? `\`\` ${clean} \`\`` : `\`${clean}\``;
}

/**
 * Repository text as Markdown that shows it verbatim: no emphasis, links, HTML, tables broken by
 * `|`, or `@` mentions that would notify people.
 */
export function escape(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`)
    .replace(/@/g, "@&#8203;");
}
