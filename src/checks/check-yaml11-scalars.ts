import type { Finding } from "../core/finding.js";
import { severityOf } from "./check-rules.js";

/**
 * A plain (unquoted) scalar as written in a document, with its place: what the loader's
 * `SourceMap.plainScalars` returns.
 */
export interface Yaml11Scalar {
  /** The text as written, e.g. `yes`, `0755`. */
  source: string;
  /** True when the scalar is a mapping key. */
  key: boolean;
  /** JSON pointer of the value, or of the entry whose key this is. */
  pointer: string;
  /** 1-based. */
  line: number;
  col: number;
}

/** The YAML 1.1 booleans that YAML 1.2 reads as strings (exactly these spellings). */
const yaml11Booleans = new Map<string, boolean>([
  ...["y", "Y", "yes", "Yes", "YES", "on", "On", "ON"].map((s) => [s, true] as const),
  ...["n", "N", "no", "No", "NO", "off", "Off", "OFF"].map((s) => [s, false] as const),
]);
const octal = /^[-+]?0[0-7_]*[0-7][0-7_]*$/;
const underscored = /^[-+]?[0-9][0-9_]*_[0-9_]*$/;
const sexagesimal = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

/**
 * The value kubectl (go-yaml, YAML 1.1) decodes a plain scalar into, when its type differs from
 * what YAML 1.2 reads: a boolean for `yes`/`no`/`on`/`off`/`y`/`n`, a number for `1_000`, the
 * octal number for `0755`. `undefined` when both read it alike (base 60 `1:20` stays a string in
 * go-yaml).
 */
export function kubectlValue(text: string): boolean | number | undefined {
  const boolean = yaml11Booleans.get(text);
  if (boolean !== undefined) return boolean;
  if (octal.test(text)) return octalValue(text);
  if (underscored.test(text)) return Number(text.replace(/_/g, ""));
  return undefined;
}

function octalValue(text: string): number {
  const digits = text.replace(/_/g, "");
  const value = parseInt(digits.replace(/^[-+]/, ""), 8);
  return digits.startsWith("-") ? -value : value;
}

/**
 * `yaml11-ambiguous` (warning): plain scalars that bindops (YAML 1.2) and kubectl (go-yaml, which
 * keeps YAML 1.1 forms) read differently, each finding saying both readings:
 * - `yes`/`no`/`on`/`off`/`y`/`n` (in the spellings YAML 1.1 lists): strings in 1.2, booleans for
 *   kubectl; as keys, kubectl turns them into "true"/"false";
 * - `0755`: 755 in 1.2, octal 493 for kubectl; `1_000`: a string in 1.2, 1000 for kubectl;
 * - `1:20`: a string in 1.2 and for kubectl (go-yaml dropped base 60), but 80 for other YAML 1.1
 *   readers such as PyYAML.
 *
 * `yaml11-wrong-type` (error) instead, for a value whose pointer is in `refused`: the schema
 * accepts YAML 1.2's reading there but refuses kubectl's, with the schema's message (`ConfigMap`
 * `data: {debug: no}`: kubectl decodes a boolean where a string must be).
 */
export function checkYaml11Scalars(
  plainScalars: readonly Yaml11Scalar[],
  file: string,
  docIndex: number,
  refused: ReadonlyMap<string, string> = new Map(),
): Finding[] {
  const findings: Finding[] = [];
  for (const scalar of plainScalars) {
    const reading = yaml11Reading(scalar.source);
    if (reading === undefined) continue;
    const what = `${scalar.key ? "key" : "value"} \`${scalar.source}\``;
    const schema = scalar.key ? undefined : refused.get(scalar.pointer);
    const rule = schema === undefined ? "yaml11-ambiguous" : "yaml11-wrong-type";
    findings.push({
      severity: severityOf(rule),
      rule,
      message:
        schema === undefined
          ? `${what} is ${reading.yaml12} in YAML 1.2 but ${reading.yaml11}; quote it if a string is meant`
          : `${what} is ${reading.yaml11}, which the schema refuses (${schema}); YAML 1.2 reads ${reading.yaml12}, but kubectl refuses the manifest: quote it`,
      location: {
        file,
        document: docIndex,
        pointer: scalar.pointer,
        line: scalar.line,
        col: scalar.col,
      },
    });
  }
  return findings;
}

/** How YAML 1.2 and YAML 1.1 read `text`, when they differ. */
function yaml11Reading(text: string): { yaml12: string; yaml11: string } | undefined {
  const boolean = yaml11Booleans.get(text);
  if (boolean !== undefined) {
    return { yaml12: `the string "${text}"`, yaml11: `${boolean} in kubectl (YAML 1.1)` };
  }
  if (octal.test(text)) {
    const digits = text.replace(/_/g, "");
    const asOctal = octalValue(text);
    const asDecimal = parseInt(digits, 10);
    if (text.includes("_")) {
      return {
        yaml12: `the string "${text}"`,
        yaml11: `the octal number ${asOctal} in kubectl (YAML 1.1)`,
      };
    }
    if (asOctal === asDecimal) return undefined;
    return {
      yaml12: `the number ${asDecimal}`,
      yaml11: `the octal number ${asOctal} in kubectl (YAML 1.1)`,
    };
  }
  if (underscored.test(text)) {
    const number = Number(text.replace(/_/g, ""));
    return { yaml12: `the string "${text}"`, yaml11: `the number ${number} in kubectl (YAML 1.1)` };
  }
  if (sexagesimal.test(text)) {
    return {
      yaml12: `the string "${text}"`,
      yaml11: `the base-60 number ${sexagesimalValue(text)} in YAML 1.1 readers such as PyYAML (kubectl keeps the string)`,
    };
  }
  return undefined;
}

function sexagesimalValue(text: string): number {
  const negative = text.startsWith("-");
  const parts = text.replace(/^[-+]/, "").replace(/_/g, "").split(":");
  const value = parts.reduce((total, part) => total * 60 + Number(part), 0);
  return negative ? -value : value;
}
