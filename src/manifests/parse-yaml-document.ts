import { load, type LoadOptions } from "js-yaml";
import type { LoadLimits } from "./load-source.js";
import { cloneTree, measureValue, type Measure } from "./measure-value.js";

/** A document's value, or why it has none: what js-yaml threw, or what its aliases would cost. */
export type ParsedYaml =
  | { ok: true; value: unknown }
  | { ok: false; cause: unknown }
  | { ok: false; measure: Exclude<Measure, { ok: true }> };

/** One document's text parsed with js-yaml, aliases expanded into a plain tree within the limits. */
export function parseYamlDocument(
  body: string,
  options: LoadOptions,
  limits: LoadLimits,
): ParsedYaml {
  let value: unknown;
  try {
    value = load(body, options);
  } catch (cause) {
    return { ok: false, cause };
  }
  // Only anchors make shared values, and an alias needs both characters.
  if (body.includes("&") && body.includes("*")) {
    const measure = measureValue(value, limits);
    if (!measure.ok) return { ok: false, measure };
    if (measure.shared) value = cloneTree(value);
  }
  return { ok: true, value };
}
