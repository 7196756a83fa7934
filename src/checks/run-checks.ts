import type { CrdFacts } from "../core/crd-facts.js";
import type { Finding } from "../core/finding.js";
import type { ManifestDocument } from "../core/manifest.js";
import { checkBindingClaims } from "./check-binding-claims.js";
import { checkClaims } from "./check-claims.js";
import { checkCredentials } from "./check-credentials.js";
import { checkCrossReferences } from "./check-cross-references.js";
import { checkDuplicates } from "./check-duplicates.js";
import { checkKinds } from "./check-kinds.js";
import { checkNames } from "./check-names.js";
import type { DocumentFacts } from "../core/document-facts.js";
import { indexRepository } from "./repository-index.js";

export interface RunChecksOptions {
  /** The type and name of each document, in order, when the caller has read them already. */
  facts?: readonly DocumentFacts[];
  /**
   * The findings of the per-document checks (credentials), in document order, for documents
   * checked already (as they were parsed); `undefined` entries are computed here. The contents of
   * documents checked already are not read again by those checks.
   */
  documentFindings?: readonly (readonly Finding[] | undefined)[];
  /** The facts of the CRDs among the documents, when the caller has read them already. */
  crds?: readonly CrdFacts[];
}

/**
 * The semantic checks of `validate`, over every document of a repository at once (the CRDs of
 * `--crd-dir` included): type metadata, duplicate objects, cross-references, permission claims, names and
 * credentials. Pure: documents in, findings out, with the rule ids and severities of
 * {@link checkRules}, located by document and JSON pointer. Documents may be schema-invalid; a
 * field of the wrong type reads as absent. YAML 1.1 ambiguities need the source text and are
 * checked separately by {@link checkYaml11Scalars}.
 */
export function runChecks(
  documents: readonly ManifestDocument[],
  options: RunChecksOptions = {},
): Finding[] {
  const index = indexRepository(documents, {
    ...(options.facts ? { facts: options.facts } : {}),
    ...(options.crds ? { crds: options.crds } : {}),
  });
  const findings = [
    ...checkKinds(index),
    ...checkDuplicates(index),
    ...checkCrossReferences(index),
    ...checkClaims(index),
    ...checkBindingClaims(index),
    ...checkNames(index),
  ];
  documents.forEach((document, i) => {
    const known = options.documentFindings?.[i];
    for (const finding of known ?? checkCredentials(document, index.facts[i]?.type)) {
      findings.push(finding);
    }
  });
  return findings;
}
