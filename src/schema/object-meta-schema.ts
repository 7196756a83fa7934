import type { JsonSchema } from "./json-schema.js";
import { stringFormats, type StringFormat } from "./string-formats.js";
import { s } from "./schema-builders.js";

export interface ObjectMetaOptions {
  /**
   * `bindops`: only `name`, `namespace`, `labels` and `annotations` (bindops's own kinds live in
   * git only). `kubernetes`: every ObjectMeta field an object read back from a cluster may carry.
   */
  fields: "bindops" | "kubernetes";
  /** The format of `metadata.name`; `subdomain` unless the kind says otherwise. */
  name?: StringFormat;
  /** Whether `metadata.name` is required (objects in git are applied by name). Default true. */
  requireName?: boolean;
}

const labels = s.mapOf(s.name("labelValue"), {
  keys: s.name("qualifiedName"),
  description: "Labels: qualified-name keys, short values.",
});
const annotations = s.mapOf(
  { type: "string" },
  { keys: s.name("qualifiedName"), description: "Annotations: qualified-name keys." },
);

/** Fields the API server fills in; accepted in any shape because nobody authors them. */
const serverFields: Record<string, JsonSchema> = {
  uid: {},
  resourceVersion: {},
  generation: {},
  creationTimestamp: {},
  deletionTimestamp: {},
  deletionGracePeriodSeconds: {},
  selfLink: {},
  managedFields: {},
};

const ownerReference = s.object(
  {
    apiVersion: s.string({ minLength: 1 }),
    kind: s.string({ minLength: 1 }),
    name: s.string({ minLength: 1 }),
    uid: s.string({ minLength: 1 }),
    controller: s.boolean(),
    blockOwnerDeletion: s.boolean(),
  },
  { required: ["apiVersion", "kind", "name", "uid"] },
);

/** A `metadata` schema: Kubernetes ObjectMeta with the name formats the API server enforces. */
export function objectMetaSchema(options: ObjectMetaOptions): JsonSchema {
  const name = s.name(options.name ?? "subdomain");
  const base: Record<string, JsonSchema> = {
    name,
    namespace: s.name("label"),
    labels,
    annotations,
  };
  const properties: Record<string, JsonSchema> =
    options.fields === "bindops"
      ? base
      : {
          ...base,
          generateName: { type: "string", maxLength: stringFormats.subdomain.maxLength },
          finalizers: s.arrayOf(s.string({ minLength: 1 })),
          ownerReferences: s.arrayOf(ownerReference),
          ...serverFields,
        };
  return s.object(properties, { required: options.requireName === false ? [] : ["name"] });
}
