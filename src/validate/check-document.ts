import type { Finding, Severity } from "../core/finding.js";
import type { ManifestDocument } from "../core/manifest.js";
import { checkCredentials, checkRemovedApi, checkWorkloads } from "../checks/index.js";
import type { DocumentFacts } from "../core/document-facts.js";
import type { SchemaRegistry } from "../schema/schema-registry.js";
import { validateDocument } from "../schema/validate-document.js";

/** What `validate` finds in one document's value by itself, before looking across documents. */
export interface DocumentResult {
  /**
   * Schema findings, the API server's own checks of built-in kinds (`checkWorkloads`), and a
   * removed or deprecated API version (which replaces the others when it is removed); none for a
   * document without apiVersion and kind (the checks report it).
   */
  schema: readonly Finding[];
  /** `credential-in-repo` and `plain-secret`. */
  credentials: readonly Finding[];
}

export interface CheckDocumentContext {
  /** Knows every CRD of the run already. */
  registry: SchemaRegistry;
  unknownKinds: Severity | "ignore";
  /** The Kubernetes release (`1.37`) whose removed and deprecated API versions are reported. */
  kubernetesVersion: string;
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
  const removed = checkRemovedApi(document, facts.type, context.kubernetesVersion);
  // A removed version's old schema says nothing useful: the fix is the replacement.
  const schema =
    facts.type === undefined
      ? none
      : removed?.severity === "error"
        ? [removed]
        : [
            ...(removed ? [removed] : []),
            ...validateDocument(document, context.registry, { unknownKinds: context.unknownKinds }),
            ...checkWorkloads(document, facts.type),
          ];
  const credentials = checkCredentials(document, facts.type);
  return { schema, credentials: credentials.length > 0 ? credentials : none };
}
