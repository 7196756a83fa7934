import type { Finding } from "../core/finding.js";
import { compareFindings } from "../core/finding.js";
import { findingPosition } from "./finding-position.js";
import { printable } from "./printable.js";
import { summaryLine } from "./summary-line.js";
import type { ValidateReport } from "./validate-report.js";

/**
 * GitHub Actions workflow commands that annotate the pull request:
 * `::error file=<f>,line=<l>,col=<c>,title=<rule>::<message>` (or `::warning`), one per finding,
 * then the summary line. File paths are the report's, relative to the root, which GitHub expects
 * to be the repository checkout.
 */
export function renderGithub(report: ValidateReport): string {
  const lines = [...report.findings].sort(compareFindings).map(commandOf);
  lines.push(summaryLine(report));
  return lines.join("\n") + "\n";
}

function commandOf(finding: Finding): string {
  const { line, column } = findingPosition(finding);
  const properties = [
    `file=${escapeProperty(printable(finding.location.file))}`,
    `line=${line}`,
    `col=${column}`,
    `title=${escapeProperty(finding.rule)}`,
  ].join(",");
  // The log is shown in a browser and in terminals: no control characters from the repository.
  return `::${finding.severity} ${properties}::${escapeData(printable(finding.message, { lines: true }))}`;
}

/** Escapes a workflow command's message, so a line break or `%` cannot end or alter it. */
export function escapeData(text: string): string {
  return text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

/** Escapes a workflow command property value, where `:` and `,` are separators too. */
export function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(":", "%3A").replaceAll(",", "%2C");
}
