import type { Finding } from "../core/finding.js";
import type { ManifestDocument } from "../core/manifest.js";
import { checkBindingClaims } from "./check-binding-claims.js";
import { checkClaims } from "./check-claims.js";
import { checkCredentials } from "./check-credentials.js";
import { checkCrossReferences } from "./check-cross-references.js";
import { checkDuplicates } from "./check-duplicates.js";
import { checkKinds } from "./check-kinds.js";
import { checkNames } from "./check-names.js";
import { indexRepository } from "./repository-index.js";

export interface RunChecksOptions {
  /** Report no `unknown-kind` (`--ignore-unknown-kinds`). */
  ignoreUnknownKinds?: boolean;
}

/**
 * The semantic checks of `validate`, over every document of a repository at once (the CRDs of
 * `--crd-dir` included): kinds, duplicate objects, cross-references, permission claims, names and
 * credentials. Pure: documents in, findings out, with the rule ids and severities of
 * {@link checkRules}, located by document and JSON pointer. Documents may be schema-invalid; a
 * field of the wrong type reads as absent. YAML 1.1 ambiguities need the source text and are
 * checked separately by {@link checkYaml11Scalars}.
 */
export function runChecks(
  documents: readonly ManifestDocument[],
  options: RunChecksOptions = {},
): Finding[] {
  const index = indexRepository(documents);
  return [
    ...checkKinds(index, options),
    ...checkDuplicates(index),
    ...checkCrossReferences(index),
    ...checkClaims(index),
    ...checkBindingClaims(index),
    ...checkNames(index),
    ...checkCredentials(index),
  ];
}
