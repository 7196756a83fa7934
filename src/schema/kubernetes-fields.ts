import type { ErrorObject } from "ajv";
import { createRequire } from "node:module";

/**
 * The fields of the types of Kubernetes's built-in kinds, as `scripts/kubernetes-field-table.mjs`
 * reads them from kubernetes-models's declarations: `kinds` maps `apiVersion kind` to a type,
 * `types[i]` each field of type i to its shape (a `[` per list, a `{` per map with free keys, then
 * the index of the type of object it holds, or nothing for a scalar or a free-form value).
 */
interface FieldTable {
  version: string;
  kinds: Record<string, number>;
  names: string[];
  types: Record<string, string>[];
}

let table: FieldTable | undefined;
/** Loaded on first use: runs without built-in kinds never need it. */
function fieldTable(): FieldTable {
  table ??= createRequire(import.meta.url)("./kubernetes-fields.json") as FieldTable;
  return table;
}

/**
 * A check for unknown fields in a document of a built-in kind, at any depth: kubernetes-models's
 * schemas do not close objects, so `spec.replicas` in a DaemonSet or `resources.limitz` in a
 * container would pass, where the API server's strict field validation refuses them. `metadata`
 * at the top is left to the metadata schema. `undefined` for a kind the table does not know.
 */
export function unknownFieldsCheck(
  apiVersion: string,
  kind: string,
): ((value: unknown) => ErrorObject[]) | undefined {
  const { kinds, types } = fieldTable();
  const root = kinds[`${apiVersion} ${kind}`];
  if (root === undefined) return undefined;

  const check = (value: unknown, shape: string, at: string, errors: ErrorObject[]): void => {
    if (typeof value !== "object" || value === null || shape === "") return;
    const nested = shape.slice(1);
    if (shape.startsWith("[")) {
      if (Array.isArray(value))
        value.forEach((item, i) => check(item, nested, `${at}/${i}`, errors));
      return;
    }
    if (Array.isArray(value)) return;
    const entries = Object.entries(value);
    if (shape.startsWith("{")) {
      for (const [key, item] of entries) check(item, nested, `${at}/${escape(key)}`, errors);
      return;
    }
    const fields = types[Number(shape)];
    if (fields === undefined) return;
    for (const [key, item] of entries) {
      const field = Object.hasOwn(fields, key) ? fields[key] : undefined;
      if (field === undefined) {
        errors.push({
          instancePath: at,
          schemaPath: "#/additionalProperties",
          keyword: "additionalProperties",
          params: { additionalProperty: key },
          message: "must NOT have additional properties",
        });
      } else if (!(at === "" && key === "metadata")) {
        check(item, field, `${at}/${escape(key)}`, errors);
      }
    }
  };
  const rootShape = String(root);
  return (value) => {
    const errors: ErrorObject[] = [];
    check(value, rootShape, "", errors);
    return errors;
  };
}

function escape(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}
