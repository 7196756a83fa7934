import type { Finding, Severity } from "../core/finding.js";
import type { ManifestDocument } from "../core/manifest.js";
import { checkCredentials } from "../checks/index.js";
import type { DocumentFacts } from "../core/document-facts.js";
import type { SchemaRegistry } from "../schema/schema-registry.js";
import { validateDocument } from "../schema/validate-document.js";

/** What `validate` finds in one document's value by itself, before looking across documents. */
export interface DocumentResult {
  /** Schema findings; none for a document without apiVersion and kind (the checks report it). */
  schema: readonly Finding[];
  /** `credential-in-repo` and `plain-secret`. */
  credentials: readonly Finding[];
}

export interface CheckDocumentContext {
  /** Knows every CRD of the run already. */
  registry: SchemaRegistry;
  unknownKinds: Severity | "ignore";
}

const none: readonly Finding[] = [];

/**
 * The checks of `validate` that need a document's value but no other document: its schema and
 * its credentials. They run as soon as the document is parsed, so that most values need not be
 * kept for the checks across documents.
 */
export function checkDocument(
  document: ManifestDocument,
  facts: DocumentFacts,
  context: CheckDocumentContext,
): DocumentResult {
  const schema =
    facts.type === undefined
      ? none
      : validateDocument(document, context.registry, { unknownKinds: context.unknownKinds });
  const credentials = checkCredentials(document, facts.type);
  return { schema, credentials: credentials.length > 0 ? credentials : none };
}
