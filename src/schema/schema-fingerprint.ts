import type { JsonSchema } from "./json-schema.js";

/**
 * A short fingerprint of a schema's JSON (32-bit FNV-1a, hex): a validator generated at build time
 * is used only for the very schema it was generated from.
 */
export function schemaFingerprint(schema: JsonSchema): string {
  const text = JSON.stringify(schema);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return `${(hash >>> 0).toString(16).padStart(8, "0")}-${text.length}`;
}
