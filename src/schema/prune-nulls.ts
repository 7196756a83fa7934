import type { JsonSchema } from "./json-schema.js";

/**
 * A copy of `value` without the nulls the API server drops before it validates: a field whose
 * value is `null` is pruned unless its schema makes it nullable (`nullable: true`, a `null`
 * type or enum value), as for custom resources since Kubernetes 1.20; Go's typed objects read a
 * null as the zero value, which comes to the same for metadata. So `annotations:` with nothing
 * after it, or `description: null`, is an absent field, and a required field that is null is
 * missing. Fields the schema does not know keep their nulls (they are reported as unknown);
 * so do list items. `undefined` when there is nothing to prune.
 */
export function pruneNulls(value: unknown, schema: JsonSchema): unknown {
  const definitions = schema.definitions ?? {};
  const resolve = (node: JsonSchema | undefined): JsonSchema | undefined => {
    let current = node;
    for (let hops = 0; current?.$ref !== undefined && hops < 32; hops++) {
      const name = /^#\/definitions\/(.+)$/.exec(current.$ref)?.[1];
      current = name === undefined ? undefined : definitions[name];
    }
    return current;
  };
  const prune = (node: unknown, nodeSchema: JsonSchema | undefined): unknown => {
    const at = resolve(nodeSchema);
    if (typeof node !== "object" || node === null || at === undefined) return node;
    if (Array.isArray(node)) {
      if (at.items === undefined) return node;
      let changed = false;
      const items = node.map((item: unknown) => {
        const pruned = prune(item, at.items);
        changed ||= pruned !== item;
        return pruned;
      });
      return changed ? items : node;
    }
    let copy: Record<string, unknown> | undefined;
    for (const [key, child] of Object.entries(node)) {
      const childSchema =
        at.properties?.[key] ??
        (typeof at.additionalProperties === "object" ? at.additionalProperties : undefined);
      if (child === null) {
        const resolved = resolve(childSchema);
        if (resolved !== undefined && !nullable(resolved)) {
          copy ??= { ...(node as Record<string, unknown>) };
          delete copy[key];
        }
        continue;
      }
      const pruned = prune(child, childSchema);
      if (pruned !== child) {
        copy ??= { ...(node as Record<string, unknown>) };
        copy[key] = pruned;
      }
    }
    return copy ?? node;
  };
  return prune(value, schema);
}

function nullable(schema: JsonSchema): boolean {
  const { type } = schema;
  if (type === "null" || (Array.isArray(type) && type.includes("null"))) return true;
  if ((schema as { nullable?: unknown }).nullable === true) return true;
  if (schema.enum?.includes(null) === true) return true;
  // No type at all (free-form, or a combination of schemas): null may be what is meant.
  return type === undefined && schema.properties === undefined && schema.items === undefined;
}

/**
 * A copy of `value` without any field whose value is `null`, at any depth (list items stay): how
 * the API server reads a built-in kind, whose typed fields take a null as their zero value.
 * `value` itself when it holds no such field.
 */
export function dropNulls(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    let changed = false;
    const items = value.map((item: unknown) => {
      const dropped = dropNulls(item);
      changed ||= dropped !== item;
      return dropped;
    });
    return changed ? items : value;
  }
  let copy: Record<string, unknown> | undefined;
  for (const [key, child] of Object.entries(value)) {
    const dropped = child === null ? undefined : dropNulls(child);
    if (dropped !== child) {
      copy ??= { ...(value as Record<string, unknown>) };
      if (dropped === undefined) delete copy[key];
      else copy[key] = dropped;
    }
  }
  return copy ?? value;
}
