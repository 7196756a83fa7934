import type { LoadLimits } from "./load-source.js";
import { parseYamlDocument } from "./parse-yaml-document.js";
import type { SourceFile } from "./source-map.js";
import { yamlLoadOptions } from "./yaml-schema.js";

/**
 * The value of a document that `loadSource` loaded from `source`, parsed again from its text
 * exactly as it was the first time: for a caller that let the value go and needs it again.
 * `undefined` when the source holds no such loaded mapping.
 */
export function reloadDocument(
  file: string,
  source: SourceFile,
  index: number,
  limits: LoadLimits,
): Record<string, unknown> | undefined {
  const chunk = source.chunks[index];
  if (chunk === undefined || !chunk.loaded || chunk.content === undefined) return undefined;
  let value: unknown;
  if (file.endsWith(".json")) {
    value = JSON.parse(source.text);
  } else {
    const parsed = parseYamlDocument(
      source.text.slice(chunk.start, chunk.end),
      yamlLoadOptions(limits),
      limits,
    );
    if (!parsed.ok) return undefined;
    value = parsed.value;
  }
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
