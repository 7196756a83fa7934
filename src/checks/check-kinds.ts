import type { Finding } from "../core/finding.js";
import type { ManifestDocument } from "../core/manifest.js";
import { documentFinding } from "./document-finding.js";
import type { RepositoryIndex } from "./repository-index.js";

/**
 * Every document says what it is: `missing-type-meta` when `apiVersion` or `kind` is absent (or
 * not a non-empty string). Whether a stated kind and version are known is the schema stage's
 * answer alone (`unknown-kind`, `unknown-version`): its registry knows every built-in kind and
 * every CRD's served versions.
 */
export function checkKinds(index: RepositoryIndex): Finding[] {
  const findings: Finding[] = [];
  index.documents.forEach((document, i) => {
    const type = index.facts[i]?.type;
    if (type === undefined || type.apiVersion === "" || type.kind === "") {
      findings.push(missingTypeMeta(document));
    }
  });
  return findings;
}

function missingTypeMeta(document: ManifestDocument): Finding {
  const { apiVersion, kind } = document.value;
  const missing = [
    ...(typeof apiVersion === "string" && apiVersion !== "" ? [] : ["apiVersion"]),
    ...(typeof kind === "string" && kind !== "" ? [] : ["kind"]),
  ];
  const [only] = missing;
  const given = missing.length === 1 && only !== undefined && document.value[only] !== undefined;
  return documentFinding(
    "missing-type-meta",
    document,
    given ? `/${only}` : "",
    `the document has no ${missing.join(" and no ")}${given ? " (it must be a non-empty string)" : ""}, so nothing can tell what it is`,
  );
}
