import { createRequire } from "node:module";
import { listMapKeys } from "./create-ajv.js";
import type { JsonSchema } from "./json-schema.js";
import type { DocumentValidator } from "./kind-validator.js";
import { kubernetesFormats } from "./kubernetes-formats.js";
import { schemaFingerprint } from "./schema-fingerprint.js";

/** What `scripts/generate-validators.mjs` writes for each shipped schema. */
interface GeneratedModule {
  /** `schemaFingerprint` of the schema it was generated from. */
  fingerprint: string;
  create(context: { formats: typeof kubernetesFormats; listMapKeys: unknown }): DocumentValidator;
}

const load = createRequire(import.meta.url);

/** The file name of the generated validator of a shipped schema. */
export function precompiledFile(id: string): string {
  return `${id.replace(/[^A-Za-z0-9.-]+/g, "_")}.cjs`;
}

/**
 * The first-error validator of a shipped schema as generated at build time (ajv's standalone
 * code, in `generated/` next to this module), which costs nothing to compile. `undefined` when
 * there is none (running from source) or when it was generated from another version of the
 * schema: the caller compiles the schema then.
 */
export function precompiledValidator(
  id: string,
  schema: JsonSchema,
): DocumentValidator | undefined {
  let generated: GeneratedModule;
  try {
    generated = load(`./generated/${precompiledFile(id)}`) as GeneratedModule;
  } catch (error) {
    if ((error as { code?: unknown }).code === "MODULE_NOT_FOUND") return undefined;
    throw error;
  }
  if (generated.fingerprint !== schemaFingerprint(schema)) return undefined;
  return generated.create({ formats: kubernetesFormats, listMapKeys });
}
