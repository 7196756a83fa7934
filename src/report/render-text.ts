import type { Finding } from "../core/finding.js";
import { compareFindings } from "../core/finding.js";
import { findingPosition } from "./finding-position.js";
import { printable } from "./printable.js";
import { summaryLine } from "./summary-line.js";
import type { ValidateReport } from "./validate-report.js";
import { summaryOf } from "./validate-report.js";

export interface TextOptions {
  /** ANSI colours for a terminal; off by default. */
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

/**
 * Human-readable output: one line per finding, `file:line:col: error [rule-id] message`, in a
 * stable order, then a summary line. Lines of a multi-line message after the first are indented.
 */
export function renderText(report: ValidateReport, options: TextOptions = {}): string {
  const paint = options.color === true ? painter : plain;
  const lines = [...report.findings].sort(compareFindings).map((f) => findingLine(f, paint));
  const { errors, warnings } = summaryOf(report);
  const colour = errors > 0 ? ansi.red : warnings > 0 ? ansi.yellow : ansi.green;
  lines.push(paint(summaryLine(report), ansi.bold + colour));
  return lines.join("\n") + "\n";
}

type Paint = (text: string, style: string) => string;
const plain: Paint = (text) => text;
const painter: Paint = (text, style) => `${style}${text}${ansi.reset}`;

function findingLine(finding: Finding, paint: Paint): string {
  const { line, column } = findingPosition(finding);
  const where = `${printable(finding.location.file)}:${line}:${column}:`;
  const severity = paint(finding.severity, finding.severity === "error" ? ansi.red : ansi.yellow);
  const message = printable(finding.message).split("\n").join("\n    ");
  return `${where} ${severity} ${paint(`[${finding.rule}]`, ansi.dim)} ${message}`;
}
