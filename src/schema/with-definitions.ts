import type { JsonSchema } from "./json-schema.js";

const prefix = "#/definitions/";

/**
 * Makes a schema self-contained: adds to its `definitions` every definition of `library` it
 * references through `$ref: "#/definitions/<name>"`, directly or through other definitions.
 * A reference to a name `library` lacks is a bug in an authored schema, so it throws.
 */
export function withDefinitions(
  schema: JsonSchema,
  library: Readonly<Record<string, JsonSchema>>,
): JsonSchema {
  const used = new Map<string, JsonSchema>();
  const pending: JsonSchema[] = [schema];
  while (pending.length > 0) {
    const next = pending.pop()!;
    for (const name of referencedNames(next)) {
      if (used.has(name)) continue;
      const definition = library[name];
      if (definition === undefined) throw new Error(`schema refers to unknown definition ${name}`);
      used.set(name, definition);
      pending.push(definition);
    }
  }
  if (used.size === 0) return schema;
  const definitions = Object.fromEntries([...used].sort(([a], [b]) => (a < b ? -1 : 1)));
  return { ...schema, definitions: { ...schema.definitions, ...definitions } };
}

function referencedNames(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) referencedNames(item, found);
  } else if (typeof node === "object" && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string" && value.startsWith(prefix)) {
        found.add(value.slice(prefix.length));
      } else if (key !== "definitions" && key !== "enum" && key !== "const" && key !== "default") {
        referencedNames(value, found);
      }
    }
  }
  return found;
}
