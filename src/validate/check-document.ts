import type { Finding, Severity } from "../core/finding.js";
import type { ManifestDocument, TypeMeta } from "../core/manifest.js";
import { checkCredentials, checkRemovedApi, checkWorkloads } from "../checks/index.js";
import { documentFacts, type DocumentFacts } from "../core/document-facts.js";
import { joinPointer } from "../core/finding.js";
import { isKubernetesGroup } from "../schema/kubernetes-kinds.js";
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
 *
 * A list (`kind: List`, as `kubectl get -o yaml` writes it, or a typed one such as
 * `ConfigMapList`) is checked item by item, each as a document of its own, its findings placed at
 * `/items/<i>`; a typed list's items may leave out their apiVersion and kind.
 */
export function checkDocument(
  document: ManifestDocument,
  facts: DocumentFacts,
  context: CheckDocumentContext,
): DocumentResult {
  if (isList(facts.type, document.value)) return checkList(document, facts.type!, context);
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

/** `v1 List`, and the lists of Kubernetes's own kinds (`ConfigMapList`): objects with `items`. */
function isList(type: TypeMeta | undefined, value: Record<string, unknown>): boolean {
  if (type === undefined || !isKubernetesGroup(type.group)) return false;
  if (type.kind === "List" && type.group === "") return true;
  return type.kind.endsWith("List") && Array.isArray(value.items);
}

const listFields = new Set(["apiVersion", "kind", "metadata", "items"]);

function checkList(
  document: ManifestDocument,
  type: TypeMeta,
  context: CheckDocumentContext,
): DocumentResult {
  const schema: Finding[] = [];
  const credentials: Finding[] = [];
  const at = (pointer: string, message: string): Finding => ({
    severity: "error",
    rule: "schema",
    message,
    location: { file: document.file, document: document.index, pointer },
  });
  for (const field of Object.keys(document.value)) {
    if (!listFields.has(field)) schema.push(at(joinPointer(field), `unknown field "${field}"`));
  }
  const { items } = document.value;
  if (!Array.isArray(items)) {
    if (items !== undefined && items !== null) schema.push(at("/items", "items: must be a list"));
    return { schema, credentials };
  }
  // The items of a typed list are of its element kind when they do not say.
  const element = type.kind === "List" ? undefined : type.kind.slice(0, -"List".length);
  items.forEach((item: unknown, i) => {
    const prefix = joinPointer("items", i);
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      schema.push(
        at(prefix, `items[${i}]: must be a mapping (an object with apiVersion and kind)`),
      );
      return;
    }
    const value =
      element === undefined
        ? (item as Record<string, unknown>)
        : { apiVersion: type.apiVersion, kind: element, ...(item as Record<string, unknown>) };
    const facts = documentFacts(value);
    if (facts.type === undefined) {
      schema.push(at(prefix, `items[${i}]: an item needs apiVersion and kind`));
      return;
    }
    const result = checkDocument({ ...document, value }, facts, context);
    const moved = (finding: Finding): Finding => ({
      ...finding,
      location: { ...finding.location, pointer: prefix + (finding.location.pointer ?? "") },
    });
    for (const finding of result.schema) schema.push(moved(finding));
    for (const finding of result.credentials) credentials.push(moved(finding));
  });
  return { schema, credentials: credentials.length > 0 ? credentials : none };
}
