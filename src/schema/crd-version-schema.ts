import { joinPointer } from "../core/finding.js";
import { listMapKeysKeyword } from "./create-ajv.js";
import type { JsonSchema, JsonType } from "./json-schema.js";
import { kubernetesFormats } from "./kubernetes-formats.js";
import { objectMetaSchema } from "./object-meta-schema.js";
import { re2Refusal } from "./re2-pattern.js";

/** Something wrong with a CRD's schema itself, at a JSON pointer into the CRD document. */
export interface CrdSchemaProblem {
  severity: "error" | "warning";
  pointer: string;
  message: string;
}

export interface CrdVersionSchema {
  /** Draft-07 JSON Schema of a custom resource of that version, unknown fields refused. */
  schema: JsonSchema;
  /** Where the version's `openAPIV3Schema` is in the CRD document. */
  pointer: string;
  /** How many `x-kubernetes-validations` (CEL) rules the schema has; they are not evaluated here. */
  celRules: number;
  problems: CrdSchemaProblem[];
}

type Json = Record<string, unknown>;

const types = new Set(["object", "array", "string", "integer", "number", "boolean"]);

/** Every field of apiextensions.k8s.io/v1 JSONSchemaProps; anything else is a typo the server refuses. */
const schemaFields = new Set([
  "id",
  "$schema",
  "$ref",
  "description",
  "type",
  "format",
  "title",
  "default",
  "maximum",
  "exclusiveMaximum",
  "minimum",
  "exclusiveMinimum",
  "maxLength",
  "minLength",
  "pattern",
  "maxItems",
  "minItems",
  "uniqueItems",
  "multipleOf",
  "enum",
  "maxProperties",
  "minProperties",
  "required",
  "items",
  "allOf",
  "oneOf",
  "anyOf",
  "not",
  "properties",
  "additionalProperties",
  "patternProperties",
  "dependencies",
  "additionalItems",
  "definitions",
  "externalDocs",
  "example",
  "nullable",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-embedded-resource",
  "x-kubernetes-int-or-string",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-list-type",
  "x-kubernetes-map-type",
  "x-kubernetes-validations",
]);

/** Fields apiextensions.k8s.io/v1 forbids in a CRD schema. */
const forbidden = ["$ref", "definitions", "dependencies", "patternProperties", "additionalItems"];

/** Value validations that carry over to JSON Schema unchanged. */
const copied = [
  "minLength",
  "maxLength",
  "multipleOf",
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
  "required",
] as const;

/** Whether a copied validation has the type apiextensions.k8s.io/v1 gives it. */
function copiedTypeFits(key: (typeof copied)[number], value: unknown): boolean {
  if (key === "required") return Array.isArray(value) && value.every((v) => typeof v === "string");
  if (key === "multipleOf") return typeof value === "number" && value > 0;
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}

const isRecord = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The JSON Schema a custom resource of `version` must satisfy, from its CRD's `openAPIV3Schema`,
 * with the API server's structural-schema semantics:
 * - fields a schema does not declare are errors (the server prunes them, losing what was written),
 *   except under `x-kubernetes-preserve-unknown-fields: true`;
 * - `x-kubernetes-int-or-string` is an integer or a string; `nullable` also allows null;
 * - `x-kubernetes-embedded-resource` objects may carry apiVersion, kind and metadata;
 * - `x-kubernetes-list-type: set` items are unique; `map` items are unique by their map keys;
 * - formats Kubernetes does not check are ignored; CEL rules are counted, not evaluated;
 * - `apiVersion`, `kind` and `metadata` are always allowed at the root.
 * `undefined` when the CRD has no such version. Works for v1 CRDs and for v1beta1's top-level
 * `spec.validation`.
 */
export function crdVersionSchema(crd: Json, version: string): CrdVersionSchema | undefined {
  const spec = isRecord(crd.spec) ? crd.spec : {};
  const versions: unknown[] = Array.isArray(spec.versions) ? spec.versions : [];
  const index = versions.findIndex((v) => isRecord(v) && v.name === version);
  if (index < 0 && spec.version !== version) return undefined;
  const entry = versions[index];
  const own = isRecord(entry) && isRecord(entry.schema) ? entry.schema.openAPIV3Schema : undefined;
  const shared = isRecord(spec.validation) ? spec.validation.openAPIV3Schema : undefined;
  const pointer =
    own !== undefined
      ? joinPointer("spec", "versions", index, "schema", "openAPIV3Schema")
      : joinPointer("spec", "validation", "openAPIV3Schema");
  const source = own ?? shared;
  const conversion = new Conversion();
  if (source === undefined) {
    conversion.problem(
      index >= 0 ? joinPointer("spec", "versions", index) : "/spec",
      "error",
      `version ${version} has no schema (schema.openAPIV3Schema is required in apiextensions.k8s.io/v1)`,
    );
    return {
      schema: rootSchema({ type: "object" }, true),
      pointer,
      celRules: 0,
      problems: conversion.problems,
    };
  }
  const converted = conversion.node(source, pointer, false);
  const preserve = isRecord(source) && source["x-kubernetes-preserve-unknown-fields"] === true;
  return {
    schema: rootSchema(converted, preserve),
    pointer,
    celRules: conversion.celRules,
    problems: conversion.problems,
  };
}

function rootSchema(converted: JsonSchema, preserve: boolean): JsonSchema {
  return {
    ...converted,
    type: "object",
    properties: {
      ...converted.properties,
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: objectMetaSchema({ fields: "kubernetes" }),
    },
    required: [...new Set(["apiVersion", "kind", "metadata", ...(converted.required ?? [])])],
    ...(preserve ? {} : { additionalProperties: false }),
  };
}

class Conversion {
  readonly problems: CrdSchemaProblem[] = [];
  celRules = 0;

  problem(pointer: string, severity: CrdSchemaProblem["severity"], message: string): void {
    this.problems.push({ severity, pointer, message });
  }

  /** `inJunctor`: inside allOf/anyOf/oneOf/not, where a schema only adds value validations. */
  node(node: unknown, ptr: string, inJunctor: boolean): JsonSchema {
    if (!isRecord(node)) {
      this.problem(ptr, "error", "a schema must be an object");
      return {};
    }
    this.checkFields(node, ptr);
    const out: JsonSchema = {};
    const intOrString = node["x-kubernetes-int-or-string"] === true;
    const preserve = node["x-kubernetes-preserve-unknown-fields"] === true;
    const embedded = node["x-kubernetes-embedded-resource"] === true;
    const nullable = node.nullable === true;

    const type = this.type(node, ptr, intOrString, nullable);
    if (type !== undefined) out.type = type.length === 1 ? type[0]! : type;
    this.values(node, ptr, out, nullable);

    if (isRecord(node.properties)) {
      out.properties = {};
      for (const [key, child] of Object.entries(node.properties)) {
        out.properties[key] = this.node(child, `${ptr}${joinPointer("properties", key)}`, false);
      }
    }
    if (isRecord(node.additionalProperties)) {
      out.additionalProperties = this.node(
        node.additionalProperties,
        `${ptr}/additionalProperties`,
        false,
      );
      if (node.properties !== undefined) {
        this.problem(ptr, "error", "properties and additionalProperties are mutually exclusive");
      }
    } else if (typeof node.additionalProperties === "boolean") {
      out.additionalProperties = node.additionalProperties;
    }
    if (isRecord(node.items)) {
      out.items = this.node(node.items, `${ptr}/items`, false);
    } else if (node.items !== undefined) {
      this.problem(`${ptr}/items`, "error", "items must be a single schema");
    }
    this.junctors(node, ptr, out, intOrString);
    this.listType(node, ptr, out);

    if (!inJunctor) this.close(node, ptr, out, type, { preserve, embedded, intOrString });
    return out;
  }

  /** Pruning semantics: an object refuses fields its schema does not declare. */
  private close(
    node: Json,
    ptr: string,
    out: JsonSchema,
    type: JsonType[] | undefined,
    flags: { preserve: boolean; embedded: boolean; intOrString: boolean },
  ): void {
    const objectLike =
      type?.includes("object") ??
      (node.properties !== undefined || flags.embedded || flags.preserve);
    if (objectLike) {
      if (flags.embedded) embedResource(out);
      if (!flags.preserve && out.additionalProperties === undefined) {
        out.additionalProperties = false;
      }
    }
    const untyped = type === undefined && !flags.preserve && !flags.intOrString;
    if (untyped && (node.properties !== undefined || node.items !== undefined)) {
      this.problem(ptr, "error", "a schema with properties or items must have a type");
    }
  }

  private checkFields(node: Json, ptr: string): void {
    for (const key of Object.keys(node)) {
      if (!schemaFields.has(key)) {
        this.problem(`${ptr}${joinPointer(key)}`, "error", `unknown schema field "${key}"`);
      } else if (forbidden.includes(key)) {
        this.problem(
          `${ptr}${joinPointer(key)}`,
          "error",
          `${key} is not allowed in a CRD schema (apiextensions.k8s.io/v1)`,
        );
      }
    }
    if (node.uniqueItems === true) {
      this.problem(
        `${ptr}/uniqueItems`,
        "error",
        "uniqueItems cannot be true in a CRD schema; use x-kubernetes-list-type: set",
      );
    }
    if (node["x-kubernetes-preserve-unknown-fields"] === false) {
      this.problem(
        `${ptr}/x-kubernetes-preserve-unknown-fields`,
        "error",
        "x-kubernetes-preserve-unknown-fields must be true or absent",
      );
    }
    if (Array.isArray(node["x-kubernetes-validations"])) {
      this.celRules += node["x-kubernetes-validations"].length;
    }
  }

  private type(
    node: Json,
    ptr: string,
    intOrString: boolean,
    nullable: boolean,
  ): JsonType[] | undefined {
    let result: JsonType[] | undefined;
    if (intOrString) {
      result = ["integer", "string"];
    } else if (typeof node.type === "string" && types.has(node.type)) {
      result = [node.type as JsonType];
    } else if (node.type !== undefined) {
      this.problem(`${ptr}/type`, "error", `unknown type ${JSON.stringify(node.type)}`);
    }
    if (result && nullable) result.push("null");
    return result;
  }

  private values(node: Json, ptr: string, out: JsonSchema, nullable: boolean): void {
    const target = out as Record<string, unknown>;
    for (const key of copied) {
      const value = node[key];
      if (value === undefined) continue;
      if (copiedTypeFits(key, value)) target[key] = value;
      else {
        // Swagger's `required: true`, a count as a string: the API server refuses the CRD.
        this.problem(
          `${ptr}/${key}`,
          "error",
          key === "required"
            ? `required must be a list of field names, not ${JSON.stringify(value)}`
            : `${key} must be ${key === "multipleOf" ? "a positive number" : "a non-negative integer"}, not ${JSON.stringify(value)}`,
        );
      }
    }
    if (Array.isArray(node.enum)) {
      const values: unknown[] = node.enum;
      out.enum = nullable && !values.includes(null) ? [...values, null] : values;
    }
    if (typeof node.format === "string" && node.format in kubernetesFormats) {
      out.format = node.format;
    }
    if (typeof node.pattern === "string") {
      // The API server compiles patterns with Go's regexp (RE2) and refuses the CRD otherwise.
      const refusal = re2Refusal(node.pattern);
      if (refusal === undefined) out.pattern = node.pattern;
      else {
        this.problem(
          `${ptr}/pattern`,
          "error",
          `pattern ${JSON.stringify(node.pattern)} is not a valid RE2 regular expression, so the API server refuses the CRD: ${refusal}`,
        );
      }
    }
    // OpenAPI v3.0 (and so Kubernetes) makes exclusiveMinimum/Maximum booleans on minimum/maximum.
    for (const [bound, exclusive] of [
      ["minimum", "exclusiveMinimum"],
      ["maximum", "exclusiveMaximum"],
    ] as const) {
      const limit = node[bound];
      if (typeof limit !== "number") continue;
      if (node[exclusive] === true) out[exclusive] = limit;
      else out[bound] = limit;
    }
  }

  private junctors(node: Json, ptr: string, out: JsonSchema, intOrString: boolean): void {
    for (const key of ["allOf", "anyOf", "oneOf"] as const) {
      const list = node[key];
      if (list === undefined) continue;
      if (!Array.isArray(list)) {
        this.problem(`${ptr}/${key}`, "error", `${key} must be a list of schemas`);
        continue;
      }
      // controller-gen writes int-or-string as anyOf [integer, string] next to the extension.
      if (intOrString && key === "anyOf" && list.every((b) => isRecord(b) && isScalarType(b))) {
        continue;
      }
      out[key] = list.map((branch, i) => this.node(branch, `${ptr}/${key}/${i}`, true));
    }
    if (node.not !== undefined) out.not = this.node(node.not, `${ptr}/not`, true);
  }

  private listType(node: Json, ptr: string, out: JsonSchema): void {
    const listType = node["x-kubernetes-list-type"];
    if (listType === "set") {
      out.uniqueItems = true;
    } else if (listType === "map") {
      const keys = node["x-kubernetes-list-map-keys"];
      if (Array.isArray(keys) && keys.length > 0 && keys.every((k) => typeof k === "string")) {
        (out as Record<string, unknown>)[listMapKeysKeyword] = keys;
      } else {
        this.problem(
          ptr,
          "error",
          "x-kubernetes-list-type: map needs x-kubernetes-list-map-keys (a non-empty list of field names)",
        );
      }
    }
  }
}

function isScalarType(branch: Json): boolean {
  return (
    (branch.type === "integer" || branch.type === "string") &&
    Object.keys(branch).every((k) => k === "type")
  );
}

/** An embedded object (a Pod template, say) carries its own type meta and metadata. */
function embedResource(out: JsonSchema): void {
  out.properties = {
    apiVersion: { type: "string", minLength: 1 },
    kind: { type: "string", minLength: 1 },
    metadata: objectMetaSchema({ fields: "kubernetes", requireName: false }),
    ...out.properties,
  };
  out.required = [...new Set(["apiVersion", "kind", ...(out.required ?? [])])];
}
