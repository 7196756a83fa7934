/**
 * A finding of `validate`: a problem at a place. Checks report the place as a document and a JSON
 * pointer (RFC 6901) into it; the loader turns that into a line and column afterwards, so only
 * findings pay for positions.
 */
export type Severity = "error" | "warning";

export interface FindingLocation {
  /** Path relative to the repository root, with forward slashes. */
  file: string;
  /** 0-based document index in the file; absent for file-level findings. */
  document?: number;
  /** JSON pointer of the offending field within the document, e.g. `/spec/permissionClaims/0`. */
  pointer?: string;
  /** 1-based; filled by position resolution (or directly by the loader for syntax errors). */
  line?: number;
  col?: number;
}

export interface Finding {
  severity: Severity;
  /** Stable rule id, kebab-case, e.g. `schema`, `binding-unknown-template`. */
  rule: string;
  message: string;
  location: FindingLocation;
}

/** Stable order: file, line, column, rule, message. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareStrings(a.location.file, b.location.file) ||
    (a.location.line ?? 0) - (b.location.line ?? 0) ||
    (a.location.col ?? 0) - (b.location.col ?? 0) ||
    compareStrings(a.rule, b.rule) ||
    compareStrings(a.message, b.message)
  );
}

/** Code-unit order of two strings: stable across locales, unlike `localeCompare`. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Escapes one JSON pointer segment (RFC 6901). */
export function pointerSegment(key: string | number): string {
  return String(key).replaceAll("~", "~0").replaceAll("/", "~1");
}

export function joinPointer(...segments: (string | number)[]): string {
  return segments.map((s) => "/" + pointerSegment(s)).join("");
}
