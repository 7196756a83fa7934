import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import type { Finding } from "../../../src/core/finding.js";
import type { ManifestDocument } from "../../../src/core/manifest.js";
import { createSchemaRegistry, type SchemaRegistry } from "../../../src/schema/schema-registry.js";
import { validateDocument } from "../../../src/schema/validate-document.js";
import { sharedDir } from "../../support/repo-root.js";

/** A document at `file`#`index` with the given content. */
export function doc(value: unknown, file = "repo.yaml", index = 0): ManifestDocument {
  return { file, index, line: 1, col: 1, value: value as Record<string, unknown> };
}

/** One registry for a test file: schemas compile once, as in a real run. */
export const registry: SchemaRegistry = createSchemaRegistry();

/** The findings of one document, as `[rule, pointer, message]` for compact assertions. */
export function check(value: unknown, on: SchemaRegistry = registry): [string, string, string][] {
  return validateDocument(doc(value), on).map((f: Finding) => [
    f.rule,
    f.location.pointer ?? "",
    f.message,
  ]);
}

/** Pointers of the findings of one document. */
export function pointers(value: unknown, on: SchemaRegistry = registry): string[] {
  return check(value, on).map(([, pointer]) => pointer);
}

/** Marks a field for removal in `variant`. */
export const remove = Symbol("remove");

/**
 * A deep copy of a valid example with some fields changed, so each test breaks one thing: keys
 * are JSON pointers, values the new content (`remove` deletes the field).
 */
export function variant<T>(value: T, changes: Record<string, unknown>): T {
  const copy = structuredClone(value);
  for (const [pointer, content] of Object.entries(changes)) {
    const keys = pointer.slice(1).split("/");
    const last = keys.pop()!;
    let node = copy as unknown;
    for (const key of keys) node = (node as Record<string, unknown>)[key];
    const parent = node as Record<string, unknown>;
    if (content === remove) delete parent[last];
    else parent[last] = content;
  }
  return copy;
}

/** The value at a JSON pointer, or `undefined`. */
export function get(value: unknown, pointer: string): unknown {
  let node = value;
  for (const key of pointer.slice(1).split("/")) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** `../shared/reference/kube-bind`, or `undefined` (tests that need it skip themselves). */
export function kubeBindReference(): string | undefined {
  const shared = sharedDir();
  return shared === undefined ? undefined : path.join(shared, "reference", "kube-bind");
}

export const skipMessage =
  "skipped: ../shared/reference/kube-bind (kube-bind's CRDs and examples) is not beside this checkout";

/** Every document of every YAML file in a folder of the reference data. */
export function referenceDocuments(folder: string): ManifestDocument[] {
  const documents: ManifestDocument[] = [];
  for (const name of readdirSync(folder).sort()) {
    if (!name.endsWith(".yaml")) continue;
    const text = readFileSync(path.join(folder, name), "utf8");
    parseAllDocuments(text).forEach((document, index) => {
      const value: unknown = document.toJS();
      if (typeof value === "object" && value !== null) {
        documents.push(doc(value, name, index));
      }
    });
  }
  return documents;
}
