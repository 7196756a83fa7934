import type { ValidateReport } from "./validate-report.js";
import { summaryOf } from "./validate-report.js";

/**
 * The closing line of the text and GitHub formats: `2 errors, 1 warning in 3 files (5 documents)`,
 * or `✓ no problems in 3 files (5 documents)`.
 */
export function summaryLine(report: ValidateReport): string {
  const { errors, warnings, files, documents } = summaryOf(report);
  const scope = `in ${count(files, "file")} (${count(documents, "document")})`;
  if (errors === 0 && warnings === 0) return `✓ no problems ${scope}`;
  return `${count(errors, "error")}, ${count(warnings, "warning")} ${scope}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
