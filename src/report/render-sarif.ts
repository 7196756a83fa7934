import type { Finding, Severity } from "../core/finding.js";
import { compareFindings } from "../core/finding.js";
import { findingPosition } from "./finding-position.js";
import type { RuleInfo, ValidateReport } from "./validate-report.js";

export const sarifSchema =
  "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/** Where SARIF viewers send users who want to know more about the tool. */
export const bindopsInformationUri = "https://bindops.dev";

/** The base every result's file URI is relative to. */
export const sourceRootId = "%SRCROOT%";

interface SarifRule {
  id: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string };
  defaultConfiguration: { level: Severity };
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: Severity;
  message: { text: string };
  locations: [
    {
      physicalLocation: {
        artifactLocation: { uri: string; uriBaseId: string };
        region: { startLine: number; startColumn: number };
      };
    },
  ];
  properties?: { pointer?: string; document?: number };
}

/**
 * SARIF 2.1.0 for code-scanning tools: one run whose driver lists `report.rules` (plus any rule a
 * finding uses that the list lacks), one result per finding with its rule's index, level
 * `error` or `warning`, and a file URI relative to `%SRCROOT%`, which `originalUriBaseIds` maps to
 * the root. Columns count UTF-16 code units, as the YAML loader does.
 */
export function renderSarif(report: ValidateReport): string {
  const rules = rulesOf(report);
  const indexOf = new Map(rules.map((rule, index) => [rule.id, index]));
  const results = [...report.findings]
    .sort(compareFindings)
    .map((finding) => resultOf(finding, indexOf.get(finding.rule) ?? -1));
  const sarif = {
    $schema: sarifSchema,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "bindops",
            version: report.toolVersion,
            informationUri: bindopsInformationUri,
            rules,
          },
        },
        originalUriBaseIds: { [sourceRootId]: rootLocation(report.root) },
        columnKind: "utf16CodeUnits",
        results,
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + "\n";
}

function rulesOf(report: ValidateReport): SarifRule[] {
  const known = new Map<string, RuleInfo>();
  for (const rule of report.rules) if (!known.has(rule.id)) known.set(rule.id, rule);
  // A result must point at a rule descriptor, so a rule missing from the list still gets one.
  const missing = [...new Set(report.findings.map((f) => f.rule))]
    .filter((id) => !known.has(id))
    .sort();
  for (const id of missing) {
    const severity = report.findings.find((f) => f.rule === id)?.severity ?? "error";
    known.set(id, { id, severity, description: id });
  }
  return [...known.values()].map((rule) => ({
    id: rule.id,
    shortDescription: { text: rule.description },
    fullDescription: { text: rule.description },
    help: { text: rule.help ?? rule.description },
    defaultConfiguration: { level: rule.severity },
  }));
}

function resultOf(finding: Finding, ruleIndex: number): SarifResult {
  const { line, column } = findingPosition(finding);
  const { pointer, document } = finding.location;
  const properties = {
    ...(pointer === undefined ? {} : { pointer }),
    ...(document === undefined ? {} : { document }),
  };
  return {
    ruleId: finding.rule,
    ruleIndex,
    level: finding.severity,
    message: { text: finding.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: relativeUri(finding.location.file), uriBaseId: sourceRootId },
          region: { startLine: line, startColumn: column },
        },
      },
    ],
    ...(Object.keys(properties).length === 0 ? {} : { properties }),
  };
}

/** A relative URI reference for a repository path: each segment percent-encoded. */
export function relativeUri(file: string): string {
  return file
    .replaceAll("\\", "/")
    .replace(/^\.\//, "")
    .split("/")
    .map((segment) => encodeURIComponent(segment))
    .join("/");
}

// SARIF requires a base URI to be absolute and to end with a slash. A relative root cannot be
// turned into one without I/O, so it is only described.
function rootLocation(root: string): { uri: string } | { description: { text: string } } {
  const path = root.replaceAll("\\", "/");
  const drive = /^[A-Za-z]:\//.exec(path);
  if (!path.startsWith("/") && drive === null) {
    return { description: { text: `The repository root, ${root}` } };
  }
  const rest = drive === null ? path : path.slice(2);
  const encoded = rest
    .split("/")
    .map((segment) => encodeURIComponent(segment))
    .join("/");
  const prefix = drive === null ? "" : `/${drive[0].slice(0, 2)}`;
  return { uri: `file://${prefix}${encoded.endsWith("/") ? encoded : encoded + "/"}` };
}
