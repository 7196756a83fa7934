import type { ErrorObject } from "ajv";
import type { Finding, Severity } from "../core/finding.js";
import type { ManifestDocument } from "../core/manifest.js";
import { schemaErrorMessages } from "./schema-error-messages.js";
import type { SchemaRegistry } from "./schema-registry.js";

export interface ValidateDocumentOptions {
  /**
   * What a document of a kind no schema knows gets: a finding (`error`, the default, or
   * `warning`), or nothing (`ignore`, for `--ignore-unknown-kinds`).
   */
  unknownKinds?: Severity | "ignore";
  /** At most this many schema findings per document (default 100). */
  limit?: number;
  /**
   * The document is a patch (a kustomize strategic merge patch): a partial object, so missing
   * required fields are fine, `null` deletes a field, and `$patch`, `$setElementOrder/...` and
   * the other `$` directives are not fields.
   */
  partial?: boolean;
}

/**
 * Checks one document against the schema of its kind. Findings:
 * - `schema` (error): the document does not match its schema; `location.pointer` is the field
 *   (for an unknown field, that field; for a missing one, the object that lacks it);
 * - `unknown-kind`: no schema knows the kind (neither Kubernetes, kube-bind, bindops, nor a CRD
 *   the registry was given);
 * - `unknown-version` (error): the kind is known, but not at this apiVersion.
 * Valid documents cost one fast validation; all errors are collected only for invalid ones.
 */
export function validateDocument(
  document: ManifestDocument,
  registry: SchemaRegistry,
  options: ValidateDocumentOptions = {},
): Finding[] {
  const { value } = document;
  const finding = (
    rule: string,
    pointer: string,
    message: string,
    severity: Severity = "error",
  ): Finding => ({
    severity,
    rule,
    message,
    location: { file: document.file, document: document.index, pointer },
  });

  const { apiVersion, kind } = value;
  if (typeof apiVersion !== "string" || typeof kind !== "string") {
    const problems: Finding[] = [];
    for (const [field, given] of [
      ["apiVersion", apiVersion],
      ["kind", kind],
    ] as const) {
      if (given === undefined) {
        problems.push(finding("schema", "", `missing required field "${field}"`));
      } else if (typeof given !== "string" || given === "") {
        problems.push(finding("schema", `/${field}`, `${field}: must be a non-empty string`));
      }
    }
    return problems;
  }

  const found = registry.lookup(apiVersion, kind);
  if (found.status === "unknown-kind") {
    const severity = options.unknownKinds ?? "error";
    if (severity === "ignore") return [];
    return [finding("unknown-kind", "/kind", unknownKind(registry, apiVersion, kind), severity)];
  }
  if (found.status === "unknown-version") {
    const served = found.served.length > 0 ? found.served.join(", ") : "none";
    const by = found.source === "crd" ? "its CustomResourceDefinition serves" : "known versions";
    return [
      finding(
        "unknown-version",
        "/apiVersion",
        `${kind} has no version ${apiVersion.slice(apiVersion.lastIndexOf("/") + 1)} (${by}: ${served})`,
      ),
    ];
  }

  if (options.partial === true) {
    const errors = found.validator.errorsOf(value).filter((error) => inPatch(error, value));
    return schemaErrorMessages(errors, value, options.limit).map((problem) =>
      finding("schema", problem.pointer, problem.message),
    );
  }
  if (found.validator.validate(value)) return [];
  const errors = found.validator.errorsOf(value);
  return schemaErrorMessages(errors, value, options.limit).map((problem) =>
    finding("schema", problem.pointer, problem.message),
  );
}

/** Whether a schema error still holds for a patch: a partial object with deletions and directives. */
function inPatch(error: ErrorObject, value: unknown): boolean {
  if (error.keyword === "required") return false;
  const segments = error.instancePath.split("/").slice(1);
  if (segments.some((segment) => segment.startsWith("$"))) return false;
  const property = (error.params as { additionalProperty?: unknown }).additionalProperty;
  if (typeof property === "string" && property.startsWith("$")) return false;
  let node: unknown = value;
  for (const segment of segments) {
    if (typeof node !== "object" || node === null) return true;
    node = (node as Record<string, unknown>)[segment.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  // `null` deletes the field it is given for.
  return node !== null;
}

function unknownKind(registry: SchemaRegistry, apiVersion: string, kind: string): string {
  const slash = apiVersion.lastIndexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const known = registry.kinds(group);
  if (known.length === 0) {
    return `unknown kind ${kind} (${apiVersion}): not a Kubernetes, kube-bind or bindops kind, and no CustomResourceDefinition given defines it`;
  }
  const near = closest(kind, known);
  return `unknown kind ${kind} in ${group}${near === undefined ? "" : ` (did you mean ${near}?)`}; known kinds: ${known.join(", ")}`;
}

/** The known name a typo most likely meant: same letters ignoring case, or a few edits away. */
function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 4)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
