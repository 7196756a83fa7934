import { checkYaml11Scalars, kubectlValue, type Yaml11Scalar } from "../checks/index.js";
import type { Finding } from "../core/finding.js";
import type { ManifestDocument } from "../core/manifest.js";
import type { SchemaRegistry } from "../schema/schema-registry.js";
import { validateDocument } from "../schema/validate-document.js";
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
  registry: SchemaRegistry,
  schemaAt: ReadonlySet<string>,
  scope: ReadonlySet<string> | undefined,
): Finding[] {
  const findings: Finding[] = [];
  checked.documents.forEach((document, i) => {
    if (!checked.yaml11[i]) return;
    if (scope && !scope.has(`${document.file}#${document.index}`)) return;
    const scalars = checked.sources.plainScalars(document.file, document.index);
    if (scalars.length === 0) return;
    const refused = refusedAsKubectlReads(document, scalars, registry);
    const at = `${document.file}#${document.index}`;
    for (const pointer of refused.keys()) if (schemaAt.has(at + pointer)) refused.delete(pointer);
    for (const finding of checkYaml11Scalars(scalars, document.file, document.index, refused)) {
      findings.push(finding);
    }
  });
  return findings;
}

/**
 * The pointers of `scalars` where the document's schema refuses the value kubectl decodes, with
 * the schema's message. Empty for a kind without a schema.
 */
function refusedAsKubectlReads(
  document: ManifestDocument,
  scalars: readonly Yaml11Scalar[],
  registry: SchemaRegistry,
): Map<string, string> {
  const refused = new Map<string, string>();
  const readings = new Map<string, boolean | number>();
  for (const scalar of scalars) {
    const value = scalar.key ? undefined : kubectlValue(scalar.source);
    if (value !== undefined) readings.set(scalar.pointer, value);
  }
  if (readings.size === 0) return refused;
  const value = structuredClone(document.value);
  for (const [pointer, reading] of readings) setAt(value, pointer, reading);
  const asKubectlReads = { ...document, value };
  for (const finding of validateDocument(asKubectlReads, registry, { unknownKinds: "ignore" })) {
    const { pointer } = finding.location;
    if (pointer !== undefined && readings.has(pointer) && !refused.has(pointer)) {
      refused.set(pointer, finding.message);
    }
  }
  return refused;
}

/** Replaces the value at a JSON pointer that exists in `root`. */
function setAt(root: unknown, pointer: string, value: unknown): void {
  const tokens = pointer
    .split("/")
    .slice(1)
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
  const last = tokens.pop();
  if (last === undefined) return;
  let node = root;
  for (const token of tokens) {
    if (typeof node !== "object" || node === null) return;
    node = (node as Record<string, unknown>)[token];
  }
  if (typeof node === "object" && node !== null && Object.hasOwn(node, last)) {
    (node as Record<string, unknown>)[last] = value;
  }
}
