import type { JsonSchema } from "./json-schema.js";

type Json = Record<string, unknown>;

/** Keywords that have no place in a CRD schema and only matter to ajv, or not at all. */
const dropped = new Set([
  "$id",
  "$schema",
  "$comment",
  "definitions",
  "examples",
  "propertyNames",
  "if",
  "then",
  "else",
]);

/** Output key order, so that generated CRDs read like hand-written ones. */
const order = [
  "description",
  "type",
  "format",
  "enum",
  "default",
  "pattern",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
  "required",
  "properties",
  "additionalProperties",
  "items",
];
const rank = (key: string) => {
  const i = order.indexOf(key);
  return i < 0 ? order.length : i;
};

/**
 * A CRD `openAPIV3Schema` (a Kubernetes structural schema) from one of bindops's JSON Schemas:
 * `$ref`s inlined, `additionalProperties: false` dropped (pruning does that job on the server),
 * `const` as a one-value `enum`, `uniqueItems` as `x-kubernetes-list-type: set`, free-form objects
 * marked `x-kubernetes-preserve-unknown-fields`, and `metadata` reduced to `type: object`. Throws
 * when a node has no type or a reference is recursive: a bug in an authored schema.
 */
export function toStructuralSchema(schema: JsonSchema): Json {
  const typeMeta = ["apiVersion", "kind", "metadata"];
  // The API server owns these three: only their type may be said about them in a CRD.
  const owned: Record<string, JsonSchema> = {};
  for (const field of typeMeta) {
    if (schema.properties?.[field] !== undefined) {
      owned[field] = { type: field === "metadata" ? "object" : "string" };
    }
  }
  const { required: allRequired = [], ...rest } = schema;
  const required = allRequired.filter((field) => !typeMeta.includes(field));
  const root = convert(
    {
      ...rest,
      properties: { ...schema.properties, ...owned },
      ...(required.length > 0 ? { required } : {}),
    },
    schema.definitions ?? {},
    [],
    "#",
  );
  const properties = root.properties as Record<string, Json> | undefined;
  if (properties?.metadata !== undefined) properties.metadata = { type: "object" };
  return root;
}

function convert(
  node: JsonSchema,
  definitions: Record<string, JsonSchema>,
  via: readonly string[],
  path: string,
): Json {
  if (node.$ref !== undefined) {
    const name = node.$ref.replace(/^#\/definitions\//, "");
    const target = definitions[name];
    if (target === undefined || via.includes(name)) {
      throw new Error(`${path}: cannot inline ${node.$ref}`);
    }
    return convert(target, definitions, [...via, name], path);
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(node) as [string, unknown][]) {
    if (dropped.has(key) || value === undefined) continue;
    switch (key) {
      case "const":
        out.enum = [value];
        break;
      case "uniqueItems":
        if (value === true) out["x-kubernetes-list-type"] ??= "set";
        break;
      case "additionalProperties":
        if (typeof value === "object" && value !== null) {
          out.additionalProperties = convert(value, definitions, via, `${path}/${key}`);
        }
        break;
      case "properties":
        out.properties = Object.fromEntries(
          Object.entries(value as Record<string, JsonSchema>).map(([name, child]) => [
            name,
            convert(child, definitions, via, `${path}/properties/${name}`),
          ]),
        );
        break;
      case "items":
      case "not":
        out[key] = convert(value as JsonSchema, definitions, via, `${path}/${key}`);
        break;
      case "allOf":
      case "anyOf":
      case "oneOf":
        out[key] = (value as JsonSchema[]).map((branch, i) =>
          convert(branch, definitions, via, `${path}/${key}/${i}`),
        );
        break;
      default:
        out[key] = value;
    }
  }
  if (typeof out.type !== "string") throw new Error(`${path}: a structural schema needs one type`);
  const freeForm =
    out.type === "object" &&
    out.properties === undefined &&
    out.additionalProperties === undefined &&
    node.additionalProperties !== false;
  if (freeForm) out["x-kubernetes-preserve-unknown-fields"] = true;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => rank(a) - rank(b)));
}
