import type { Severity } from "../core/finding.js";

/**
 * The rules of the findings that discovering and loading files report, for rule lists in SARIF
 * output and documentation. All are errors: such input cannot be validated at all.
 */
export const loadRules = [
  rule("yaml-syntax", "The file is valid YAML 1.2 (unknown tags and undefined aliases included)."),
  rule("yaml-duplicate-key", "No mapping holds the same key twice."),
  rule("yaml-tab-indent", "Indentation uses spaces only, never tabs."),
  rule("yaml-nesting-limit", "No document nests deeper than the limit (100 levels by default)."),
  rule(
    "yaml-alias-limit",
    "Aliases and `<<` merges expand a document by a bounded amount and never into itself.",
  ),
  rule(
    "yaml-document-limit",
    "A file holds a bounded number of documents (100000 by default, --max-documents).",
  ),
  rule("json-syntax", "A .json file is valid JSON."),
  rule("json-duplicate-key", "No object of a .json file holds the same key twice."),
  rule("not-utf8", "The file is UTF-8 text."),
  rule("binary-file", "The file is text, not binary (it holds no NUL bytes)."),
  rule("not-a-mapping", "Every document is a mapping (an object), not a list or a scalar."),
  rule("file-too-large", "The file is within the size limit (8 MiB by default)."),
  rule("unreadable-file", "The file or directory can be read."),
  rule("symlink-outside-root", "Symbolic links stay inside the repository."),
  rule("symlink-broken", "Symbolic links with a manifest name point to a file."),
  rule(
    "ignore-hides-policies",
    "`.bindopsignore` does not match bindops.yaml or the policies folder: they are never ignorable.",
  ),
] as const;

/** Rule ids of the loader's findings. */
export type LoadRule = (typeof loadRules)[number]["id"];

function rule<const Id extends string>(
  id: Id,
  description: string,
): { id: Id; severity: Severity; description: string } {
  return { id, severity: "error", description };
}
