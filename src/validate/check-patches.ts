import { checkCredentials, checkRemovedApi } from "../checks/index.js";
import { documentFacts, type DocumentFacts } from "../core/document-facts.js";
import type { Finding } from "../core/finding.js";
import type { ManifestDocument } from "../core/manifest.js";
import type { SnapshotFile } from "../core/snapshot.js";
import { loadFiles } from "../manifests/load-files.js";
import type { SourceMap } from "../manifests/source-map.js";
import { validateDocument } from "../schema/validate-document.js";
import type { CheckDocumentContext } from "./check-document.js";

/** What checking the patch files found. */
export interface CheckedPatches {
  findings: Finding[];
  documents: ManifestDocument[];
  facts: DocumentFacts[];
}

/**
 * The kustomize patches a kustomization lists, checked as what they are: partial objects. A
 * strategic merge patch is checked against its kind's schema for types and unknown fields, not
 * for required fields, with `null` (which deletes) and `$patch` directives allowed; and for
 * credentials and removed API versions as any manifest is. A JSON 6902 patch (a list of
 * operations) is left alone. Patches take no part in the checks across documents: they are not
 * objects of their own. Their positions are added to `sources`.
 */
export function checkPatches(
  files: ReadonlyMap<string, SnapshotFile>,
  context: CheckDocumentContext,
  sources: SourceMap,
  signal: AbortSignal | undefined,
): CheckedPatches {
  const loaded = loadFiles(files, signal ? { signal } : {});
  for (const [file, source] of loaded.sources.entries()) sources.set(file, source);
  const findings = loaded.findings.filter(
    (f) => !(f.rule === "not-a-mapping" && f.message.startsWith("the document is a list")),
  );
  const facts = loaded.documents.map((document) => documentFacts(document.value));
  loaded.documents.forEach((document, i) => {
    const type = facts[i]?.type;
    if (type === undefined) return;
    const removed = checkRemovedApi(document, type, context.kubernetesVersion);
    if (removed !== undefined) findings.push(removed);
    if (removed?.severity !== "error") {
      const options = { unknownKinds: context.unknownKinds, partial: true };
      for (const finding of validateDocument(document, context.registry, options)) {
        findings.push(finding);
      }
    }
    for (const finding of checkCredentials(document, type)) findings.push(finding);
  });
  return { findings, documents: loaded.documents, facts };
}
