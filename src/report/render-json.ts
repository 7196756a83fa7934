import type { Severity } from "../core/finding.js";
import { compareFindings } from "../core/finding.js";
import { findingPosition } from "./finding-position.js";
import type { ReportSummary, ValidateReport } from "./validate-report.js";
import { summaryOf } from "./validate-report.js";

/**
 * The machine-readable output of `validate -o json`, documented in `docs/validate-json.md`.
 * `version` changes only on an incompatible change; fields may be added within a version.
 */
export interface ValidateJson {
  version: 1;
  /** The repository root that `findings[].file` is relative to. */
  root: string;
  summary: ReportSummary;
  /** Sorted by file, line, column, rule, message. */
  findings: ValidateJsonFinding[];
}

export interface ValidateJsonFinding {
  severity: Severity;
  /** Stable rule id, e.g. `schema`, `policy-denied`. */
  rule: string;
  message: string;
  /** Relative to `root`, with forward slashes. */
  file: string;
  /** 1-based; a finding about a whole file has line 1, column 1. */
  line: number;
  column: number;
  /** JSON pointer (RFC 6901) of the field in the document, when the finding is about one. */
  pointer?: string;
  /** 0-based document index in the file; absent for findings about the whole file. */
  document?: number;
}

/** `validate -o json`: a {@link ValidateJson} object, pretty-printed. */
export function renderJson(report: ValidateReport): string {
  const output: ValidateJson = {
    version: 1,
    root: report.root,
    summary: summaryOf(report),
    findings: [...report.findings].sort(compareFindings).map((finding) => {
      const { line, column } = findingPosition(finding);
      const { pointer, document } = finding.location;
      return {
        severity: finding.severity,
        rule: finding.rule,
        message: finding.message,
        file: finding.location.file,
        line,
        column,
        ...(pointer === undefined ? {} : { pointer }),
        ...(document === undefined ? {} : { document }),
      };
    }),
  };
  return JSON.stringify(output, null, 2) + "\n";
}
