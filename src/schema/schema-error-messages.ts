import type { ErrorObject } from "ajv";
import { listMapKeysKeyword } from "./create-ajv.js";
import { formatDescriptions } from "./kubernetes-formats.js";
import { describePattern } from "./string-formats.js";

/** One schema violation, ready for a finding: where (a JSON pointer) and what, in words. */
export interface SchemaProblem {
  pointer: string;
  message: string;
}

/**
 * Turns ajv's errors into one readable problem each: field paths as a user writes them
 * (`spec.namespaces[0].name`), unknown fields pointed at themselves, and the noise of
 * `anyOf`/`oneOf`/`if` reduced to the branch that nearly matched (or one summary line).
 * `data` is the validated document, for quoting the offending values.
 */
export function schemaErrorMessages(
  errors: readonly ErrorObject[],
  data: unknown,
  limit = 100,
): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const error of reduceJunctors(errors)) {
    const problem = describe(error, data);
    if (problem === undefined) continue;
    // Two enums on one field (allOf, as controller-gen writes some) say the same thing twice.
    const key = sameWords.has(error.keyword)
      ? `${problem.pointer}\n${error.keyword}`
      : `${problem.pointer}\n${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  if (problems.length > limit) {
    const rest = problems.length - limit;
    return [
      ...problems.slice(0, limit),
      { pointer: "", message: `${rest} more schema error${rest === 1 ? "" : "s"} not shown` },
    ];
  }
  return problems;
}

const sameWords = new Set(["type", "enum", "const"]);

/** A JSON pointer as a field path: `/spec/items/0/a.b` → `spec.items[0]["a.b"]`. */
export function fieldPath(pointer: string): string {
  if (pointer === "") return "";
  let path = "";
  for (const raw of pointer.slice(1).split("/")) {
    const segment = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (/^\d+$/.test(segment)) path += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) path += path === "" ? segment : `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}

const child = (pointer: string, key: string | number) =>
  `${pointer}/${String(key).replaceAll("~", "~0").replaceAll("/", "~1")}`;

function describe(error: ErrorObject, data: unknown): SchemaProblem | undefined {
  const at = error.instancePath;
  const path = fieldPath(at);
  const here = (text: string): SchemaProblem => ({
    pointer: at,
    message: path === "" ? text : `${path}: ${text}`,
  });
  const params = error.params as Record<string, unknown>;
  if (error.propertyName !== undefined) return invalidKey(error);
  switch (error.keyword) {
    case "additionalProperties": {
      const pointer = child(at, String(params.additionalProperty));
      return { pointer, message: `unknown field "${fieldPath(pointer)}"` };
    }
    case "required": {
      const missing = fieldPath(child(at, String(params.missingProperty)));
      return { pointer: at, message: `missing required field "${missing}"` };
    }
    case "type":
      return here(`must be ${typeWords(params.type)} (got ${kindOf(valueAt(data, at))})`);
    case "enum": {
      const allowed = (params.allowedValues as unknown[]) ?? [];
      return here(
        `must be one of ${allowed.map(show).join(", ")} (got ${quote(valueAt(data, at))})`,
      );
    }
    case "const":
      return here(`must be ${quote(params.allowedValue)} (got ${quote(valueAt(data, at))})`);
    case "pattern": {
      const pattern = String(params.pattern);
      const words = describePattern(pattern);
      const value = quote(valueAt(data, at));
      return here(
        words ? `must be ${words} (got ${value})` : `must match /${pattern}/ (got ${value})`,
      );
    }
    case "format": {
      const format = String(params.format);
      return here(
        `must be ${formatDescriptions[format] ?? `in format ${format}`} (got ${quote(valueAt(data, at))})`,
      );
    }
    case "uniqueItems": {
      const [first, duplicate] = [Number(params.i), Number(params.j)].sort((a, b) => a - b);
      return {
        pointer: child(at, duplicate!),
        message: `${path}: items ${first} and ${duplicate} are the same; list items must be unique`,
      };
    }
    case listMapKeysKeyword: {
      const keys = (params.keys as string[]) ?? [];
      const values = (params.values as unknown[]) ?? [];
      const id = keys.map((k, i) => `${k}=${quote(values[i])}`).join(", ");
      return {
        pointer: child(at, Number(params.duplicate)),
        message: `${path}: items ${show(params.first)} and ${show(params.duplicate)} have the same ${id}; each must be unique`,
      };
    }
    case "propertyNames":
      return undefined;
    case "if":
      return undefined;
    case "anyOf":
    case "oneOf":
      return here(junctorWords(error));
    default:
      return here(limitWords(error.keyword, params) ?? error.message ?? `fails ${error.keyword}`);
  }
}

/** Size and range limits: `must not be empty`, `must be at most 63 characters`, `must be > 0`. */
function limitWords(keyword: string, params: Record<string, unknown>): string | undefined {
  const limit = show(params.limit);
  const units: Record<string, string> = {
    minLength: "characters",
    maxLength: "characters",
    minItems: "items",
    maxItems: "items",
    minProperties: "entries",
    maxProperties: "entries",
  };
  const unit = units[keyword];
  if (unit !== undefined) {
    if (keyword.startsWith("min")) {
      return params.limit === 1 ? "must not be empty" : `must have at least ${limit} ${unit}`;
    }
    return params.limit === 0 ? "must be empty" : `must have at most ${limit} ${unit}`;
  }
  if (["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"].includes(keyword)) {
    return `must be ${String(params.comparison)} ${limit}`;
  }
  if (keyword === "multipleOf") return `must be a multiple of ${show(params.multipleOf)}`;
  return undefined;
}

/** A map key (a label key, a cluster name) that fails its format. */
function invalidKey(error: ErrorObject): SchemaProblem {
  const key = String(error.propertyName);
  const pointer = child(error.instancePath, key);
  const params = error.params as Record<string, unknown>;
  const words =
    error.keyword === "pattern"
      ? (describePattern(String(params.pattern)) ?? `matching /${String(params.pattern)}/`)
      : error.keyword === "maxLength"
        ? `at most ${show(params.limit)} characters`
        : (error.message ?? "valid");
  const owner = fieldPath(error.instancePath);
  return {
    pointer,
    message: `${owner === "" ? "" : `${owner}: `}invalid key ${JSON.stringify(key)}: must be ${words}`,
  };
}

function junctorWords(error: ErrorObject): string {
  const passing = (error.params as { passingSchemas?: unknown }).passingSchemas;
  if (error.keyword === "oneOf" && Array.isArray(passing)) {
    return `matches more than one of the allowed shapes (${passing.join(", ")}); it must match exactly one`;
  }
  return "does not match any of the allowed shapes";
}

/**
 * ajv reports every failing branch of an `anyOf`/`oneOf` and then the junctor itself. A user
 * needs the branch they meant: the one whose errors lie deepest (its type matched). When no
 * branch got past the type check, one line names the types or values that would do.
 * `if` errors only say that a `then` failed, which its own errors already say.
 */
function reduceJunctors(errors: readonly ErrorObject[]): ErrorObject[] {
  let result = [...errors];
  const junctors = result
    .filter((e) => e.keyword === "anyOf" || e.keyword === "oneOf")
    .sort((a, b) => b.schemaPath.length - a.schemaPath.length);
  for (const junctor of junctors) {
    const branches = branchesOf(junctor, result);
    if (branches.length === 0) continue;
    const inBranch = new Set(branches.flat());
    const replacement = bestBranch(junctor, branches);
    result = result.flatMap((e) => {
      if (e === junctor) return replacement;
      return inBranch.has(e) ? [] : [e];
    });
  }
  return result;
}

/**
 * The errors of each branch of a junctor, found by schema path. Validators compiled with one
 * function per referenced schema (kubernetes-models) restart schema paths at `#`; their branch
 * errors are the run of errors at or under the junctor's field just before it, as one branch.
 */
function branchesOf(junctor: ErrorObject, errors: readonly ErrorObject[]): ErrorObject[][] {
  const prefix = `${junctor.schemaPath}/`;
  const byIndex = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    if (!e.schemaPath.startsWith(prefix)) continue;
    const index = e.schemaPath.slice(prefix.length).split("/")[0]!;
    byIndex.set(index, [...(byIndex.get(index) ?? []), e]);
  }
  if (byIndex.size > 0) return [...byIndex.values()];
  if (junctor.instancePath === "") return [];
  const run: ErrorObject[] = [];
  const under = (e: ErrorObject) =>
    e.instancePath === junctor.instancePath ||
    e.instancePath.startsWith(`${junctor.instancePath}/`);
  for (let i = errors.indexOf(junctor) - 1; i >= 0 && under(errors[i]!); i--) {
    run.unshift(errors[i]!);
  }
  if (run.length === 0) return [];
  const deep = run.filter((e) => e.instancePath !== junctor.instancePath);
  return deep.length > 0 ? [deep, run.filter((e) => !deep.includes(e))] : [run];
}

function bestBranch(junctor: ErrorObject, branches: ErrorObject[][]): ErrorObject[] {
  const depth = (e: ErrorObject) => e.instancePath.split("/").length;
  const shallow = (e: ErrorObject) =>
    e.instancePath === junctor.instancePath && ["type", "const", "enum"].includes(e.keyword);
  const candidates = branches.filter((b) => !b.every(shallow));
  if (candidates.length === 0) {
    const types = new Set<string>();
    const values: unknown[] = [];
    for (const e of branches.flat()) {
      const p = e.params as Record<string, unknown>;
      if (e.keyword === "type") for (const t of [p.type].flat()) types.add(String(t));
      if (e.keyword === "const") values.push(p.allowedValue);
      if (e.keyword === "enum") values.push(...((p.allowedValues as unknown[]) ?? []));
    }
    if (values.length === 0 && types.size > 0) {
      return [{ ...junctor, keyword: "type", params: { type: [...types] } }];
    }
    return [junctor];
  }
  // Not Math.max(...list): a branch may hold more errors than a call takes arguments.
  const deepest = (list: readonly ErrorObject[]) =>
    list.reduce((max, e) => Math.max(max, depth(e)), -Infinity);
  candidates.sort((a, b) => deepest(b) - deepest(a) || a.length - b.length);
  return candidates[0]!;
}

function valueAt(data: unknown, pointer: string): unknown {
  let node = data;
  if (pointer === "") return node;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function typeWords(type: unknown): string {
  const list = [type].flat().map(String);
  const article = (t: string) => (t === "null" ? t : `${/^[aeiou]/.test(t) ? "an" : "a"} ${t}`);
  const words = list.map((t) =>
    t === "object" ? "a mapping" : t === "array" ? "a list" : article(t),
  );
  return words.length <= 1
    ? (words[0] ?? "valid")
    : `${words.slice(0, -1).join(", ")} or ${words.at(-1)}`;
}

/** A value in a message: strings bare when they are plain words, JSON otherwise. */
function show(value: unknown): string {
  if (typeof value === "string" && /^[\w./-]+$/.test(value)) return value;
  return JSON.stringify(value) ?? String(value);
}

function quote(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
