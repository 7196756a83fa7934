import type { Ajv, ErrorObject } from "ajv";
import { createAjv, type PatternEngine } from "./create-ajv.js";
import type { JsonSchema } from "./json-schema.js";
import { precompiledValidator } from "./precompiled-validator.js";
import { pruneNulls } from "./prune-nulls.js";
import { quickCheck } from "./quick-check.js";

/** Where a kind's schema comes from. */
export type SchemaSource = "bindops" | "kube-bind" | "kubernetes" | "crd";

/** ajv's validate function, or anything shaped like it: true when valid, else `errors` set. */
export interface DocumentValidator {
  (value: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** The schema of one kind at one version, compiled. */
export interface KindValidator {
  readonly source: SchemaSource;
  /** The fast check every document gets: stops at the first error. */
  readonly validate: DocumentValidator;
  /** Every error of a document (compiles an all-errors validator on first use). */
  errorsOf(value: unknown): ErrorObject[];
}

/**
 * Compiles schemas into KindValidators: a first-error validator at once, an all-errors one only
 * when a document fails. ajv keeps every schema it compiled, so a compiler lives as long as the
 * schemas it serves: one for the shipped schemas, one per registry for CRDs. A shipped schema
 * (one with a `precompiledId`) uses the first-error validator generated at build time, if any.
 */
export class SchemaCompiler {
  private readonly instances = new Map<string, Ajv>();

  compile(source: SchemaSource, schema: JsonSchema, precompiledId?: string): KindValidator {
    // A CRD's patterns are the user's: RE2, as on the API server. Shipped ones are known safe.
    const patterns: PatternEngine = source === "crd" ? "re2" : "native";
    const first =
      (precompiledId === undefined ? undefined : precompiledValidator(precompiledId, schema)) ??
      this.quickFirst(schema, patterns);
    // Nulls the API server would drop are dropped before a document is found wrong; a valid
    // document never needs it.
    const validate: DocumentValidator = (value) => {
      if (first(value)) {
        validate.errors = null;
        return true;
      }
      const pruned = pruneNulls(value, schema);
      const valid = pruned !== value && first(pruned);
      validate.errors = valid ? null : (first.errors ?? null);
      return valid;
    };
    let all: DocumentValidator | undefined;
    return {
      source,
      validate,
      errorsOf: (value) => {
        all ??= compileSafely(this.ajv(true, patterns), schema);
        const pruned = pruneNulls(value, schema);
        return all(pruned) ? [] : (all.errors ?? []);
      },
    };
  }

  private ajv(allErrors: boolean, patterns: PatternEngine): Ajv {
    const key = `${allErrors} ${patterns}`;
    let instance = this.instances.get(key);
    if (instance === undefined) {
      instance = createAjv({ allErrors, patterns });
      this.instances.set(key, instance);
    }
    return instance;
  }

  /**
   * The first-error validator of a schema compiled at run time: when the schema allows it, a
   * quick check (`quickCheck`) vouches for valid documents, and ajv compiles the schema only
   * for a document the quick check does not vouch for.
   */
  private quickFirst(schema: JsonSchema, patterns: PatternEngine): DocumentValidator {
    let exact: DocumentValidator | undefined;
    const compiled = () => (exact ??= compileSafely(this.ajv(false, patterns), schema));
    const quick = quickCheck(schema, patterns);
    if (quick === undefined) return compiled();
    const validate: DocumentValidator = (value) => {
      if (quick(value)) {
        validate.errors = null;
        return true;
      }
      const check = compiled();
      const valid = check(value);
      validate.errors = check.errors ?? null;
      return valid;
    };
    return validate;
  }
}

/** A validator even for a schema ajv cannot compile: it fails every document, saying why. */
function compileSafely(ajv: Ajv, schema: JsonSchema): DocumentValidator {
  try {
    return ajv.compile(schema);
  } catch (error) {
    const message = `the schema cannot be used: ${error instanceof Error ? error.message : String(error)}`;
    const failing: DocumentValidator = () => {
      failing.errors = [
        { instancePath: "", schemaPath: "#", keyword: "schema", params: {}, message },
      ];
      return false;
    };
    return failing;
  }
}
