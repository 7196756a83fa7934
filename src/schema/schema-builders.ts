import type { JsonSchema } from "./json-schema.js";
import { stringFormats, type StringFormat } from "./string-formats.js";

/**
 * Small constructors that keep the authored schemas short and uniform. Every object they build
 * with `properties` refuses unknown fields, so a typo in a manifest is a finding instead of a
 * field the API server silently prunes.
 */
export const s = {
  /** An object with exactly these fields. */
  object(
    properties: Record<string, JsonSchema>,
    options: { required?: readonly string[]; description?: string; default?: unknown } = {},
  ): JsonSchema {
    return {
      type: "object",
      ...(options.description === undefined ? {} : { description: options.description }),
      ...(options.default === undefined ? {} : { default: options.default }),
      properties,
      ...(options.required && options.required.length > 0 ? { required: options.required } : {}),
      additionalProperties: false,
    };
  },

  /** An object whose content is not bindops's business: kept as written (preserve-unknown-fields). */
  freeObject(description?: string): JsonSchema {
    return {
      type: "object",
      ...(description === undefined ? {} : { description }),
      "x-kubernetes-preserve-unknown-fields": true,
    };
  },

  /** A map with string keys (optionally constrained) and values of one schema. */
  mapOf(values: JsonSchema, options: { keys?: JsonSchema; description?: string } = {}): JsonSchema {
    return {
      type: "object",
      ...(options.description === undefined ? {} : { description: options.description }),
      ...(options.keys === undefined ? {} : { propertyNames: options.keys }),
      additionalProperties: values,
    };
  },

  arrayOf(
    items: JsonSchema,
    options: {
      minItems?: number;
      description?: string;
      listType?: "atomic" | "set" | "map";
      mapKeys?: readonly string[];
    } = {},
  ): JsonSchema {
    return {
      type: "array",
      ...(options.description === undefined ? {} : { description: options.description }),
      items,
      ...(options.minItems === undefined ? {} : { minItems: options.minItems }),
      ...(options.listType === undefined ? {} : { "x-kubernetes-list-type": options.listType }),
      ...(options.mapKeys === undefined ? {} : { "x-kubernetes-list-map-keys": options.mapKeys }),
    };
  },

  string(options: { description?: string; minLength?: number; format?: string } = {}): JsonSchema {
    return { type: "string", ...options };
  },

  boolean(description?: string): JsonSchema {
    return { type: "boolean", ...(description === undefined ? {} : { description }) };
  },

  integer(options: { description?: string; minimum?: number; format?: string } = {}): JsonSchema {
    return { type: "integer", ...options };
  },

  /** A string in one of Kubernetes's name formats. */
  name(format: StringFormat, description?: string): JsonSchema {
    const { pattern, maxLength } = stringFormats[format];
    return {
      type: "string",
      ...(description === undefined ? {} : { description }),
      pattern,
      ...(maxLength === undefined ? {} : { maxLength }),
    };
  },

  /** A string that is one of a few values. */
  enumOf(
    values: readonly string[],
    options: { description?: string; default?: string } = {},
  ): JsonSchema {
    return { type: "string", ...options, enum: values };
  },

  /** A reference to a definition of the same schema document. */
  ref(name: string): JsonSchema {
    return { $ref: `#/definitions/${name}` };
  },
};
