import type { JsonSchema } from "./json-schema.js";

/** A kind whose schema bindops ships: its own kinds and kube-bind's. */
export interface BuiltinKind {
  /** e.g. `bindops.dev`, `kube-bind.io`. */
  group: string;
  version: string;
  kind: string;
  /** A self-contained draft-07 JSON Schema of a whole document (`$ref`s point into its `definitions`). */
  schema: JsonSchema;
}
