import { appendAll } from "../core/append-all.js";
import { crdFactsOf } from "../core/crd-facts.js";
import type { Finding } from "../core/finding.js";
import type { ManifestDocument } from "../core/manifest.js";
import { createSchemaRegistry, type SchemaRegistry } from "./schema-registry.js";
import { validateDocument, type ValidateDocumentOptions } from "./validate-document.js";

const crdApiVersions = new Set(["apiextensions.k8s.io/v1", "apiextensions.k8s.io/v1beta1"]);

/** Whether a document is a CustomResourceDefinition. */
export function isCrdDocument(document: ManifestDocument): boolean {
  const { apiVersion, kind } = document.value;
  return (
    kind === "CustomResourceDefinition" &&
    typeof apiVersion === "string" &&
    crdApiVersions.has(apiVersion)
  );
}

/**
 * Schema-checks a set of documents: the CRDs among them first become known (custom resources
 * anywhere in the set are checked against them), then every document is validated.
 */
export function validateDocuments(
  documents: readonly ManifestDocument[],
  registry: SchemaRegistry = createSchemaRegistry(),
  options: ValidateDocumentOptions = {},
): Finding[] {
  const findings: Finding[] = [];
  for (const document of documents) {
    if (isCrdDocument(document)) appendAll(findings, registry.addCrd(crdFactsOf(document)));
  }
  for (const document of documents) {
    appendAll(findings, validateDocument(document, registry, options));
  }
  return findings;
}
