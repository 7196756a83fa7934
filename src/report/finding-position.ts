import type { Finding } from "../core/finding.js";

/** A finding's 1-based line and column; a finding about a whole file sits at its first line. */
export function findingPosition(finding: Finding): { line: number; column: number } {
  return { line: finding.location.line ?? 1, column: finding.location.col ?? 1 };
}
