import type { Finding, Severity } from "../core/finding.js";

/** The values of `validate -o`. */
export type ReportFormat = "text" | "json" | "junit" | "sarif" | "github";

export const reportFormats: readonly ReportFormat[] = ["text", "json", "junit", "sarif", "github"];

/** A rule `validate` can report, as listed in SARIF output and documentation. */
export interface RuleInfo {
  /** Stable kebab-case id, the `rule` of its findings. */
  id: string;
  severity: Severity;
  /** One sentence: what the rule checks. */
  description: string;
  /** How to fix a finding of this rule; defaults to the description. */
  help?: string;
}

/** One document of a scanned file, so that reports can list documents without findings. */
export interface ReportDocument {
  /** 0-based index in the file, as in `Finding.location.document`. */
  index: number;
  kind?: string;
  name?: string;
}

export interface ReportFile {
  /** Path relative to the root, with forward slashes. */
  file: string;
  documents: ReportDocument[];
}

/** What `validate` found, handed to the renderers in `src/report`. */
export interface ValidateReport {
  /** The repository root the file paths are relative to (absolute, for SARIF). */
  root: string;
  /** How many files and documents were checked. */
  files: number;
  documents: number;
  /** With `line` and `col` resolved where a finding has a position. */
  findings: Finding[];
  /** Every rule that can be reported; SARIF lists them. */
  rules: RuleInfo[];
  toolVersion: string;
  durationMs?: number;
  /**
   * The files and documents checked. Optional: without it, the JUnit report lists only files and
   * documents that have findings.
   */
  inventory?: ReportFile[];
  /**
   * Files recognised as something other than manifests (kustomizations, Helm charts, values and
   * templates, kustomize patches) and not validated, by kind.
   */
  skipped?: SkippedFiles[];
}

/** Files of one kind that are not manifests, and what they are. */
export interface SkippedFiles {
  kind: string;
  /** What they are, and how to validate what they produce. */
  description: string;
  files: string[];
}

/** Counts shown in every format's summary. */
export interface ReportSummary {
  errors: number;
  warnings: number;
  files: number;
  documents: number;
}

export function summaryOf(report: ValidateReport): ReportSummary {
  const errors = report.findings.filter((f) => f.severity === "error").length;
  return {
    errors,
    warnings: report.findings.length - errors,
    files: report.files,
    documents: report.documents,
  };
}
