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
 * `yaml11-ambiguous` (warning): plain scalars that bindops (YAML 1.2) and kubectl (go-yaml, which
 * keeps YAML 1.1 forms) read differently, each finding saying both readings:
 * - `yes`/`no`/`on`/`off`/`y`/`n` (in the spellings YAML 1.1 lists): strings in 1.2, booleans for
 *   kubectl; as keys, kubectl turns them into "true"/"false";
 * - `0755`: 755 in 1.2, octal 493 for kubectl; `1_000`: a string in 1.2, 1000 for kubectl;
 * - `1:20`: a string in 1.2 and for kubectl (go-yaml dropped base 60), but 80 for other YAML 1.1
 *   readers such as PyYAML.
 */
export function checkYaml11Scalars(
  plainScalars: readonly Yaml11Scalar[],
  file: string,
  docIndex: number,
): Finding[] {
  const findings: Finding[] = [];
  for (const scalar of plainScalars) {
    const reading = yaml11Reading(scalar.source);
    if (reading === undefined) continue;
    const what = `${scalar.key ? "key" : "value"} \`${scalar.source}\``;
    findings.push({
      severity: severityOf("yaml11-ambiguous"),
      rule: "yaml11-ambiguous",
      message: `${what} is ${reading.yaml12} in YAML 1.2 but ${reading.yaml11}; quote it if a string is meant`,
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
    const negative = digits.startsWith("-");
    const unsigned = digits.replace(/^[-+]/, "");
    const asOctal = parseInt(unsigned, 8) * (negative ? -1 : 1);
    const asDecimal = parseInt(unsigned, 10) * (negative ? -1 : 1);
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
