import type { PatternEngine } from "./create-ajv.js";
import { re2Pattern, type Pattern } from "./re2-pattern.js";
import { createRequire } from "node:module";
import { listMapKeys, listMapKeysKeyword } from "./create-ajv.js";
import type { JsonSchema } from "./json-schema.js";
import { kubernetesFormats } from "./kubernetes-formats.js";

/**
 * A check of a value against a schema that answers `true` only for values the schema accepts,
 * as the ajv validator of that schema would decide; `false` means "invalid, or not sure".
 */
export type QuickCheck = (value: unknown) => boolean;

/** The length of a string as JSON Schema counts it (code points), as ajv counts it. */
const ucs2length = (
  createRequire(import.meta.url)("ajv/dist/runtime/ucs2length") as {
    default: (text: string) => number;
  }
).default;

/** Keywords that say nothing about validity (for ajv as bindops configures it). */
const annotations = new Set([
  "description",
  "title",
  "default",
  "examples",
  "$comment",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-embedded-resource",
  "x-kubernetes-int-or-string",
  "x-kubernetes-list-type",
  "x-kubernetes-map-type",
]);

/** Thrown while building: the schema uses something this check does not do. */
class Unsupported extends Error {}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= 0;
const isPrimitive = (value: unknown): boolean =>
  typeof value === "string" ||
  typeof value === "boolean" ||
  value === null ||
  (typeof value === "number" && Number.isFinite(value));

/**
 * A check of the schemas `validate` compiles at run time (CRDs' schemas), built in a fraction of
 * the time ajv takes to compile one: a repository whose custom resources are all valid then never
 * needs ajv for them. It knows the keywords CRD schemas are turned into (types, properties,
 * required, additionalProperties, items, enum, format, pattern, lengths, bounds, counts, allOf,
 * anyOf, unique items, list-map keys); for a schema with any other keyword it is `undefined`. It
 * answers `false` where it is not sure (non-finite numbers, unique items that are not scalars), so
 * the caller asks ajv whenever it says `false`.
 *
 * Like ajv, it turns the schema into JavaScript: one function per schema node, with property
 * names as string literals, which runs many times faster than walking the schema for every
 * document. Every other value the code needs (patterns, enums, formats) is passed in, not written.
 */
export function quickCheck(
  schema: JsonSchema,
  patterns: PatternEngine = "native",
): QuickCheck | undefined {
  const generator = new Generator(patterns);
  let root: string;
  try {
    root = generator.node(schema);
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from checked parts only
  const create = new Function("r", "u", `"use strict";\n${generator.code}\nreturn ${root};`) as (
    refs: unknown[],
    length: typeof ucs2length,
  ) => QuickCheck;
  return create(generator.refs, ucs2length);
}

const isObjectCode = (data: string) =>
  `(${data} !== null && typeof ${data} === "object" && !Array.isArray(${data}))`;

/** Writes the functions of a schema's check; `node` returns the name of a schema's function. */
class Generator {
  readonly refs: unknown[] = [];
  code = "";
  #functions = 0;

  constructor(readonly patterns: PatternEngine) {}

  /** A value the code uses, by reference. */
  ref(value: unknown): string {
    this.refs.push(value);
    return `r[${this.refs.length - 1}]`;
  }

  node(schema: unknown): string {
    const name = `f${this.#functions++}`;
    if (schema === true || schema === false) {
      this.code += `function ${name}(d) { return ${String(schema)}; }\n`;
      return name;
    }
    if (!isRecord(schema)) throw new Unsupported();
    // ajv's reading of NaN and the infinities is not worth copying: not sure.
    const body: string[] = ['if (typeof d === "number" && !Number.isFinite(d)) return false;'];
    const objectBody: string[] = [];
    for (const [keyword, argument] of Object.entries(schema)) {
      if (annotations.has(keyword)) continue;
      this.keyword(keyword, argument, schema, body, objectBody);
    }
    if (objectBody.length > 0) body.push(`if (${isObjectCode("d")}) {`, ...objectBody, "}");
    this.code += `function ${name}(d) {\n${body.join("\n")}\nreturn true;\n}\n`;
    return name;
  }

  /** Adds a keyword's test to `body`, or to `objectBody` when it only applies to objects. */
  keyword(
    keyword: string,
    argument: unknown,
    schema: Record<string, unknown>,
    body: string[],
    objectBody: string[],
  ): void {
    const objectTests = this.objectKeyword(keyword, argument, schema);
    if (objectTests !== undefined) {
      objectBody.push(...objectTests);
      return;
    }
    const test = this.valueKeyword(keyword, argument) ?? this.arrayKeyword(keyword, argument);
    if (test === undefined) throw new Unsupported();
    if (test !== "") body.push(test);
  }

  /** Scalars' keywords, and the junctors; `undefined` for others. */
  valueKeyword(keyword: string, argument: unknown): string | undefined {
    switch (keyword) {
      case "type":
        return `if (!(${typeCode(argument)})) return false;`;
      case "enum":
        if (!Array.isArray(argument) || !argument.every(isPrimitive)) throw new Unsupported();
        return `if (!${this.ref(new Set(argument))}.has(d)) return false;`;
      case "format":
        return this.format(argument);
      case "pattern":
        return `if (typeof d === "string" && !${this.ref(pattern(argument, this.patterns))}.test(d)) return false;`;
      case "minLength":
      case "maxLength":
        // A string has at most as many code points as UTF-16 units, and at least half as many:
        // only lengths near the limit need counting.
        return keyword === "minLength"
          ? `if (typeof d === "string" && d.length < ${2 * Number(count(argument))} && u(d) < ${count(argument)}) return false;`
          : `if (typeof d === "string" && d.length > ${count(argument)} && u(d) > ${count(argument)}) return false;`;
      case "minimum":
      case "maximum":
      case "exclusiveMinimum":
      case "exclusiveMaximum": {
        if (typeof argument !== "number" || !Number.isFinite(argument)) throw new Unsupported();
        const fails = {
          minimum: "<",
          maximum: ">",
          exclusiveMinimum: "<=",
          exclusiveMaximum: ">=",
        };
        return `if (typeof d === "number" && d ${fails[keyword]} ${JSON.stringify(argument)}) return false;`;
      }
      case "allOf":
      case "anyOf": {
        // Only the junctors whose answer cannot turn "not sure" into "valid" (not, oneOf).
        if (!Array.isArray(argument) || argument.length === 0) throw new Unsupported();
        const branches = argument.map((branch) => `${this.node(branch)}(d)`);
        return `if (!(${branches.join(keyword === "allOf" ? " && " : " || ")})) return false;`;
      }
      default:
        return undefined;
    }
  }

  /** Arrays' keywords; `""` for one that asks nothing, `undefined` for others. */
  arrayKeyword(keyword: string, argument: unknown): string | undefined {
    switch (keyword) {
      case "minItems":
      case "maxItems":
        return `if (Array.isArray(d) && d.length ${keyword === "minItems" ? "<" : ">"} ${count(argument)}) return false;`;
      case "items": {
        if (Array.isArray(argument)) throw new Unsupported();
        const item = this.node(argument);
        return `if (Array.isArray(d)) { for (let i = 0; i < d.length; i++) { if (!${item}(d[i])) return false; } }`;
      }
      case "uniqueItems":
        if (typeof argument !== "boolean") throw new Unsupported();
        return argument ? `if (!${this.ref(uniqueScalars)}(d)) return false;` : "";
      case listMapKeysKeyword:
        if (!Array.isArray(argument) || !argument.every((k) => typeof k === "string")) {
          throw new Unsupported();
        }
        return `if (Array.isArray(d) && ${this.ref(listMapKeys)}(${this.ref(argument)}, d) !== true) return false;`;
      default:
        return undefined;
    }
  }

  /** Objects' keywords, tested only once the value is known to be an object. */
  objectKeyword(
    keyword: string,
    argument: unknown,
    schema: Record<string, unknown>,
  ): string[] | undefined {
    switch (keyword) {
      case "minProperties":
      case "maxProperties":
        return [
          `if (Object.keys(d).length ${keyword === "minProperties" ? "<" : ">"} ${count(argument)}) return false;`,
        ];
      case "required":
        if (!Array.isArray(argument) || !argument.every((n) => typeof n === "string")) {
          throw new Unsupported();
        }
        return argument.map(
          (name) => `if (d[${JSON.stringify(name)}] === undefined) return false;`,
        );
      case "properties":
        if (!isRecord(argument)) throw new Unsupported();
        return Object.entries(argument).map(
          ([name, sub]) =>
            `{ const v = d[${JSON.stringify(name)}]; if (v !== undefined && !${this.node(sub)}(v)) return false; }`,
        );
      case "additionalProperties": {
        const { properties } = schema;
        if (properties !== undefined && !isRecord(properties)) throw new Unsupported();
        if (argument === true) return [];
        const known = this.ref(new Set(Object.keys(properties ?? {})));
        const extra = argument === false ? "" : ` && !${this.node(argument)}(d[k])`;
        return [`for (const k in d) { if (!${known}.has(k)${extra}) return false; }`];
      }
      case "propertyNames":
        return [`for (const k in d) { if (!${this.node(argument)}(k)) return false; }`];
      default:
        return undefined;
    }
  }

  format(argument: unknown): string {
    if (typeof argument !== "string" || !Object.hasOwn(kubernetesFormats, argument)) {
      throw new Unsupported();
    }
    const format = kubernetesFormats[argument]!;
    const applies = format.type === "number" ? 'typeof d === "number"' : 'typeof d === "string"';
    const test = format.validate;
    if (test instanceof RegExp)
      return `if (${applies} && !${this.ref(test)}.test(d)) return false;`;
    if (typeof test !== "function") throw new Unsupported();
    return `if (${applies} && !${this.ref(test)}(d)) return false;`;
  }
}

function typeCode(argument: unknown): string {
  const names = typeof argument === "string" ? [argument] : argument;
  if (!Array.isArray(names) || names.length === 0) throw new Unsupported();
  return names
    .map((name) => {
      switch (name) {
        case "object":
          return isObjectCode("d");
        case "array":
          return "Array.isArray(d)";
        case "string":
        case "boolean":
        case "number":
          return `typeof d === "${name}"`;
        case "null":
          return "d === null";
        case "integer":
          return "Number.isInteger(d)";
        default:
          throw new Unsupported();
      }
    })
    .join(" || ");
}

function count(argument: unknown): string {
  if (!isCount(argument)) throw new Unsupported();
  return String(argument);
}

/** A pattern on the engine asked for: RE2 (a CRD's, as the API server runs it) or RegExp. */
function pattern(argument: unknown, engine: PatternEngine): Pattern {
  if (typeof argument !== "string") throw new Unsupported();
  try {
    return engine === "re2" ? re2Pattern(argument) : new RegExp(argument, "u");
  } catch {
    throw new Unsupported();
  }
}

/** Unique items, as far as they are scalars; a list of anything else is "not sure". */
function uniqueScalars(value: unknown): boolean {
  if (!Array.isArray(value)) return true;
  if (!value.every(isPrimitive)) return false;
  return new Set(value).size === value.length;
}
