import { splitGjsonPath } from "../core/gjson-path.js";
import { asRecord } from "../core/lenient.js";
import { objectMetaSchema } from "../schema/object-meta-schema.js";

/** What walking a gjson path through a CRD schema found. */
export type SchemaPathResult =
  | { status: "found" }
  /** The path uses gjson syntax this walk does not follow (wildcards, queries, modifiers). */
  | { status: "unchecked" }
  | { status: "missing"; message: string };

type Schema = Record<string, unknown>;

/**
 * Every object's `metadata`, as the API server knows it (ObjectMeta): a path into it is checked
 * like a path into the CRD's own schema, since kube-bind skips a reference whose path does not
 * resolve (a misspelt `metadata.namespac` would claim same-named objects in every namespace).
 */
const objectMeta = objectMetaSchema({ fields: "kubernetes", requireName: false }) as Schema;
const topLevel: Schema = {
  type: "object",
  properties: { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: objectMeta },
};

const found: SchemaPathResult = { status: "found" };
const missing = (message: string): SchemaPathResult => ({ status: "missing", message });

/**
 * Walks a gjson path (as kube-bind's claim references use: fields separated by `.`, `\.` for a
 * literal dot, `#` for every element of a list, a number for one element) through a CRD version's
 * `openAPIV3Schema`, and says whether it leads to a name: a string, a list of strings, or anything
 * inside `x-kubernetes-preserve-unknown-fields`, where the schema does not say. Paths into
 * `metadata` are walked through ObjectMeta's fields (`labels.<key>`, `ownerReferences.#.name`, ...).
 */
export function walkGjsonPath(schema: Schema, path: string): SchemaPathResult {
  const segments = splitGjsonPath(path);
  if (segments === undefined) return { status: "unchecked" };
  if (segments.some((s) => s === "")) return missing(`\`${path}\` has an empty field name`);
  const [first] = segments;
  let node = first === "metadata" || first === "apiVersion" || first === "kind" ? topLevel : schema;
  const walked: string[] = [];
  for (const segment of segments) {
    const next = step(node, segment, walked);
    if (!("node" in next)) return next;
    node = next.node;
    walked.push(segment);
  }
  return leaf(node, path);
}

/** One field of the path: the schema below it, or the end of the walk. */
function step(
  node: Schema,
  segment: string,
  walked: readonly string[],
): { node: Schema } | SchemaPathResult {
  const here = walked.length === 0 ? "the object" : `\`${walked.join(".")}\``;
  const isList = node.type === "array";
  const property = asRecord(node.properties)?.[segment];
  if (segment === "#" || (isList && /^\d+$/.test(segment))) {
    if (isList) {
      const items = asRecord(node.items);
      return items === undefined ? found : { node: items };
    }
    return opaque(node)
      ? found
      : missing(`${here} is not a list, so \`${segment}\` selects nothing`);
  }
  if (property !== undefined) {
    const next = asRecord(property);
    return next === undefined ? found : { node: next };
  }
  if (node.additionalProperties === true || opaque(node)) return found;
  const additional = asRecord(node.additionalProperties);
  if (additional !== undefined) return { node: additional };
  if (
    node["x-kubernetes-embedded-resource"] === true &&
    ["apiVersion", "kind", "metadata"].includes(segment)
  ) {
    return { node: asRecord(asRecord(topLevel.properties)?.[segment]) ?? {} };
  }
  if (isList) {
    const fixed = [...walked, "#", segment].join(".");
    return missing(`${here} is a list: write \`${fixed}\` to take \`${segment}\` of every element`);
  }
  const known = Object.keys(asRecord(node.properties) ?? {});
  const listed = known.length > 0 && known.length <= 12 ? ` (its fields: ${known.join(", ")})` : "";
  return missing(`${here} has no field \`${segment}\`${listed}`);
}

function leaf(node: Schema, path: string): SchemaPathResult {
  if (opaque(node) || node["x-kubernetes-int-or-string"] === true) return found;
  const type = typeof node.type === "string" ? node.type : undefined;
  if (type === undefined || type === "string") return found;
  if (type === "array") {
    const items = asRecord(node.items);
    const itemType = typeof items?.type === "string" ? items.type : undefined;
    if (itemType === undefined || itemType === "string") return found;
    return missing(`\`${path}\` leads to a list of ${itemType}s, not names`);
  }
  return missing(`\`${path}\` leads to ${/^[aeiou]/.test(type) ? "an" : "a"} ${type}, not a name`);
}

/** A node whose contents the schema does not describe. */
function opaque(node: Schema): boolean {
  return node["x-kubernetes-preserve-unknown-fields"] === true;
}
