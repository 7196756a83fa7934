import { CORE_SCHEMA, Type, type LoadOptions } from "js-yaml";

/** Padded base64, as `!!binary` holds it (line breaks removed). */
const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * How bindops reads YAML: the YAML 1.2 core schema, plus `<<` merge keys.
 *
 * - Plain scalars resolve as YAML 1.2 says: `true`, `True`, `TRUE` and the same for `false` are
 *   booleans, `null`/`~`/empty are null, `0o17` and `0x1f` are integers, and everything else
 *   that is not a number is a string. So `yes`, `on`, `2024-01-01` and `1_000` stay strings and
 *   `017` is the decimal 17; js-yaml also reads `0b101` as 5. Kubernetes' own reader, go-yaml,
 *   still takes some YAML 1.1 forms; such scalars are for an ambiguity check to point out, from
 *   `SourceMap.plainScalars`.
 * - No timestamps or sets: every value is one JSON can hold, as in the API server. A `!!binary`
 *   scalar is the base64 text JSON holds bytes as (a Secret's `data`, `format: byte`), without its
 *   line breaks; one that is not base64 is refused.
 * - `<<` merges a mapping (or a list of them) into the one that holds it, as go-yaml (which
 *   kubectl and the API server use) does.
 * - Duplicate keys are errors (js-yaml refuses them); so are unknown tags such as `!Ref`.
 */
export const yamlSchema = CORE_SCHEMA.extend({
  // js-yaml merges any key that resolves to this tag; its own merge type is not in its typings.
  implicit: [
    new Type("tag:yaml.org,2002:merge", {
      kind: "scalar",
      resolve: (data: unknown) => data === "<<",
    }),
  ],
  explicit: [
    new Type("tag:yaml.org,2002:binary", {
      kind: "scalar",
      resolve: (data: unknown) => typeof data === "string" && base64.test(data.replace(/\s+/g, "")),
      construct: (data: string) => data.replace(/\s+/g, ""),
    }),
  ],
});

/**
 * js-yaml options for one document. `maxDepth` bounds its recursion; `maxTotalMergeKeys` bounds
 * what `<<` may copy. Both exist in js-yaml 4.3 but not yet in its type definitions.
 */
export function yamlLoadOptions(limits: { maxDepth: number; maxAliasNodes: number }): LoadOptions {
  const options: LoadOptions & { maxDepth: number; maxTotalMergeKeys: number } = {
    schema: yamlSchema,
    maxDepth: limits.maxDepth,
    maxTotalMergeKeys: limits.maxAliasNodes,
  };
  return options;
}
