import type { Ajv, ErrorObject, SchemaValidateFunction } from "ajv";
import type * as AjvModule from "ajv";
import { createRequire } from "node:module";
import { kubernetesFormats } from "./kubernetes-formats.js";
import { re2RegExpEngine } from "./re2-pattern.js";

export interface AjvOptions {
  /** Report every error (slower) rather than stopping at the first. */
  allErrors: boolean;
  /** ajv's strict mode, for checking authored schemas in tests; off at run time. */
  strict?: boolean;
  /**
   * Keep each validator's source, for generating standalone validators at build time (see
   * `precompiledValidator`); the generated code names the formats `formats` and the list-map-keys
   * check `listMapKeys`.
   */
  source?: boolean;
  /**
   * What runs `pattern`s: `re2` (linear time, Go's syntax, as the API server) for schemas from
   * users' CRDs; `native` (JavaScript's RegExp, the default) for bindops's own schemas, whose
   * patterns are known to be safe and some of which use JavaScript's syntax.
   */
  patterns?: PatternEngine;
}

/** See {@link AjvOptions.patterns}. */
export type PatternEngine = "re2" | "native";

/**
 * ajv itself is loaded on first use: validators of the shipped schemas are generated at build
 * time, so a repository without CRDs (and without invalid documents) never needs it.
 */
let ajvModule: typeof AjvModule | undefined;
function ajv(): typeof AjvModule {
  ajvModule ??= createRequire(import.meta.url)("ajv") as typeof AjvModule;
  return ajvModule;
}

/** Kubernetes extensions that only annotate a schema (they shape CRDs, not validation). */
const annotations = [
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-embedded-resource",
  "x-kubernetes-int-or-string",
  "x-kubernetes-list-type",
  "x-kubernetes-map-type",
];

export const listMapKeysKeyword = "x-kubernetes-list-map-keys";

/**
 * `x-kubernetes-list-map-keys`: the items of a list of type `map` are unique by the values of
 * these keys, as the API server requires (it refuses duplicates).
 */
export const listMapKeys: SchemaValidateFunction = (
  keys: readonly string[],
  data: unknown,
): boolean => {
  if (!Array.isArray(data)) return true;
  const seen = new Map<string, number>();
  const errors: Partial<ErrorObject>[] = [];
  data.forEach((item, index) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) return;
    const values = keys.map((key) => (item as Record<string, unknown>)[key]);
    const id = JSON.stringify(values);
    const first = seen.get(id);
    if (first === undefined) {
      seen.set(id, index);
      return;
    }
    errors.push({
      keyword: listMapKeysKeyword,
      params: { keys, values, first, duplicate: index },
      message: "must not contain duplicate keys",
    });
  });
  listMapKeys.errors = errors;
  return errors.length === 0;
};

/**
 * An ajv instance for bindops's schemas and CRD-derived ones: draft-07, Kubernetes's formats,
 * the list-map-keys check. Schemas are compiled without meta-schema validation (bindops builds
 * them) and messages only where errors are wanted in full.
 */
export function createAjv(options: AjvOptions): Ajv {
  const strict = options.strict === true;
  const { Ajv, _ } = ajv();
  const instance = new Ajv({
    allErrors: options.allErrors,
    strict,
    strictTypes: strict,
    strictTuples: strict,
    strictRequired: false,
    allowUnionTypes: true,
    validateSchema: strict,
    addUsedSchema: false,
    messages: options.allErrors,
    formats: kubernetesFormats,
    // As the API server (go-openapi) compares: 0.3 is a multiple of 0.1, though 0.3 / 0.1 is
    // 2.9999999999999996 in floating point.
    multipleOfPrecision: 9,
    // Generated code is optimised; schemas compiled at run time (CRDs) are used once, and
    // compiling them unoptimised takes a third less time.
    code:
      options.source === true
        ? { source: true, formats: _`formats` }
        : {
            optimize: false,
            ...(options.patterns === "re2" ? { regExp: re2RegExpEngine } : {}),
          },
  });
  if (options.source === true) {
    // Registered before any schema uses it, so generated code refers to it by this name.
    instance.scope.value("keyword", { ref: listMapKeys, code: _`listMapKeys` });
  }
  instance.addVocabulary(annotations);
  instance.addKeyword({
    keyword: listMapKeysKeyword,
    type: "array",
    schemaType: "array",
    errors: true,
    validate: listMapKeys,
  });
  return instance;
}
