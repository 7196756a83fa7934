import { checkYaml11Scalars, kubectlValue, type Yaml11Scalar } from "../checks/index.js";
import type { Finding } from "../core/finding.js";
import type { ManifestDocument } from "../core/manifest.js";
import { documentFacts } from "../core/document-facts.js";
import { checkDocument, type CheckDocumentContext } from "./check-document.js";
import type { CheckedFiles } from "./repository-files.js";

/**
 * YAML 1.1 ambiguities, in the documents whose text may hold them (`CheckedFiles.yaml11`). Where
 * a document has such scalars, it is checked against its schema once more as kubectl reads it:
 * a field whose YAML 1.2 reading passes but whose kubectl reading the schema refuses is an error
 * (`yaml11-wrong-type`), the others stay warnings.
 *
 * `schemaAt` holds `file#document/pointer` of every schema finding of the YAML 1.2 reading.
 */
export function yaml11Findings(
  checked: CheckedFiles,
  context: CheckDocumentContext,
  schemaAt: ReadonlySet<string>,
  scope: ReadonlySet<string> | undefined,
): Finding[] {
  const findings: Finding[] = [];
  checked.documents.forEach((document, i) => {
    if (!checked.yaml11[i]) return;
    if (scope && !scope.has(`${document.file}#${document.index}`)) return;
    const scalars = checked.sources.plainScalars(document.file, document.index);
    if (scalars.length === 0) return;
    const refused = refusedAsKubectlReads(document, scalars, context);
    const at = `${document.file}#${document.index}`;
    for (const pointer of refused.keys()) if (schemaAt.has(at + pointer)) refused.delete(pointer);
    for (const finding of checkYaml11Scalars(scalars, document.file, document.index, refused)) {
      findings.push(finding);
    }
  });
  return findings;
}

/** How many of a document's ambiguous values are checked as kubectl reads them. */
const maxReadings = 1000;

/**
 * The pointers of `scalars` (the first {@link maxReadings} of them) where the document's schema refuses the value kubectl decodes, with
 * the schema's message. Empty for a kind without a schema.
 */
function refusedAsKubectlReads(
  document: ManifestDocument,
  scalars: readonly Yaml11Scalar[],
  context: CheckDocumentContext,
): Map<string, string> {
  const refused = new Map<string, string>();
  const readings = new Map<string, boolean | number>();
  for (const scalar of scalars) {
    const value = scalar.key ? undefined : kubectlValue(scalar.source);
    if (value !== undefined) readings.set(scalar.pointer, value);
    // Enough to tell the user; the rest stay warnings, so a huge document costs little more.
    if (readings.size === maxReadings) break;
  }
  if (readings.size === 0) return refused;
  const value = withValues(document.value, readings);
  const asKubectlReads = { ...document, value };
  const checked = checkDocument(asKubectlReads, documentFacts(value), {
    ...context,
    unknownKinds: "ignore",
  });
  for (const finding of checked.schema) {
    const { pointer } = finding.location;
    if (pointer !== undefined && readings.has(pointer) && !refused.has(pointer)) {
      refused.set(pointer, finding.message);
    }
  }
  return refused;
}

/**
 * A copy of `root` with the values at some JSON pointers replaced. Only the objects and lists on
 * the way to them are copied; pointers that lead nowhere are left out.
 */
function withValues(root: Record<string, unknown>, values: ReadonlyMap<string, unknown>) {
  const copies = new Set<unknown>();
  const copy = (node: object): Record<string, unknown> => {
    const copied = (Array.isArray(node) ? [...(node as unknown[])] : { ...node }) as Record<
      string,
      unknown
    >;
    copies.add(copied);
    return copied;
  };
  const top = copy(root);
  for (const [pointer, value] of values) {
    const tokens = pointer
      .split("/")
      .slice(1)
      .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
    const last = tokens.pop();
    let node: Record<string, unknown> | undefined = top;
    for (const token of tokens) {
      const child: unknown = Object.hasOwn(node, token) ? node[token] : undefined;
      if (typeof child !== "object" || child === null) {
        node = undefined;
        break;
      }
      node[token] = copies.has(child) ? child : copy(child);
      node = node[token] as Record<string, unknown>;
    }
    if (node !== undefined && last !== undefined && Object.hasOwn(node, last)) node[last] = value;
  }
  return top;
}
