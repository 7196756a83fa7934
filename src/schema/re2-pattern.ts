import { createRequire } from "node:module";
import type * as Re2Module from "re2js";

/** A compiled pattern: matches anywhere in the string, as JSON Schema's and Go's `pattern` do. */
export interface Pattern {
  test(value: string): boolean;
  toString(): string;
}

/**
 * re2js is loaded on first use: a repository whose CRDs have no `pattern` never needs it.
 */
let re2Module: typeof Re2Module | undefined;
function re2(): typeof Re2Module {
  re2Module ??= createRequire(import.meta.url)("re2js") as typeof Re2Module;
  return re2Module;
}

const compiled = new Map<string, Pattern>();
/** Per pattern, how many values' answers are kept, and how long a value may be to be kept. */
const maxRememberedValues = 4096;
const maxRememberedLength = 256;

/**
 * A CRD `pattern` compiled with RE2's semantics (re2js), as the API server evaluates it with
 * Go's regexp: in time linear in the input, so a pattern such as `^([a-z0-9]+)+$` cannot hang
 * validate. Throws, with RE2's reason, for a pattern RE2 refuses (backreferences, lookaround,
 * repeat counts over 1000, ...); {@link re2Refusal} says why without throwing.
 */
export function re2Pattern(source: string): Pattern {
  let pattern = compiled.get(source);
  if (pattern === undefined) {
    const re = re2().RE2JS.compile(source);
    // Values repeat across documents (`20Gi`, `0 3 * * *`, an image tag): each short value's
    // answer is kept, up to a bound, so that a repository's thousands of copies are tested once.
    const answers = new Map<string, boolean>();
    const test = (value: string): boolean => {
      if (value.length > maxRememberedLength) return re.test(value);
      let answer = answers.get(value);
      if (answer === undefined) {
        answer = re.test(value);
        if (answers.size < maxRememberedValues) answers.set(value, answer);
      }
      return answer;
    };
    // ajv keys the patterns it shares by toString(): one key per pattern, as for a RegExp.
    pattern = { test, toString: () => `re2:${source}` };
    compiled.set(source, pattern);
  }
  return pattern;
}

/** Why RE2 (and so the API server) refuses a pattern, or `undefined` when it compiles. */
export function re2Refusal(source: string): string | undefined {
  try {
    re2Pattern(source);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * ajv's `code.regExp` engine for schemas compiled at run time: patterns through {@link re2Pattern}.
 * `code` names it for generated code, which bindops does not generate from CRD schemas.
 */
export const re2RegExpEngine = Object.assign((source: string) => re2Pattern(source), {
  code: "re2Pattern",
});
