import { appendAll } from "../core/append-all.js";
import type { Finding } from "../core/finding.js";
import { compareFindings, compareStrings } from "../core/finding.js";
import { findingPosition } from "./finding-position.js";
import type { ReportDocument, ValidateReport } from "./validate-report.js";
import { xmlEscape } from "./xml-escape.js";

/**
 * JUnit XML for CI test reporters: one `<testsuite>` per file, one `<testcase>` per document
 * (named `kind/name`, or `document N` counting from 1 when the document has no kind and name), and
 * a `(file)` test case for findings about the whole file. Each error is a `<failure>`; warnings
 * are listed in the test case's `<system-out>` and do not fail it. `failures` counts failed test
 * cases. Files and documents without findings appear when the report carries an inventory.
 */
export function renderJunit(report: ValidateReport): string {
  const suites = suitesOf(report);
  const tests = sum(suites.map((s) => s.cases.length));
  const failures = sum(suites.map(failedCases));
  const time = report.durationMs === undefined ? "" : ` time="${seconds(report.durationMs)}"`;
  const out = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="bindops validate" tests="${tests}" failures="${failures}" errors="0"${time}>`,
  ];
  for (const suite of suites) {
    out.push(
      `  <testsuite name="${attr(suite.file)}" tests="${suite.cases.length}" failures="${failedCases(suite)}" errors="0" skipped="0">`,
    );
    for (const testCase of suite.cases) appendAll(out, caseLines(suite.file, testCase));
    out.push(`  </testsuite>`);
  }
  out.push(`</testsuites>`);
  return out.join("\n") + "\n";
}

interface Suite {
  file: string;
  cases: TestCase[];
}

interface TestCase {
  name: string;
  findings: Finding[];
}

function suitesOf(report: ValidateReport): Suite[] {
  const documents = new Map<string, Map<number, ReportDocument>>();
  const documentsOf = (file: string): Map<number, ReportDocument> => {
    let entry = documents.get(file);
    if (entry === undefined) documents.set(file, (entry = new Map<number, ReportDocument>()));
    return entry;
  };
  for (const { file, documents: docs } of report.inventory ?? []) {
    const known = documentsOf(file);
    for (const doc of docs) known.set(doc.index, doc);
  }
  const fileLevel = new Map<string, Finding[]>();
  const byDocument = new Map<string, Finding[]>();
  for (const finding of [...report.findings].sort(compareFindings)) {
    const { file, document } = finding.location;
    const docs = documentsOf(file);
    if (document === undefined) {
      push(fileLevel, file, finding);
      continue;
    }
    if (!docs.has(document)) docs.set(document, { index: document });
    push(byDocument, `${document}\u0000${file}`, finding);
  }
  return [...documents.keys()].sort(compareStrings).map((file) => {
    const docs = [...documentsOf(file).values()].sort((a, b) => a.index - b.index);
    const names = caseNames(docs);
    const cases: TestCase[] = docs.map((doc, i) => ({
      name: names[i] ?? `document ${doc.index + 1}`,
      findings: byDocument.get(`${doc.index}\u0000${file}`) ?? [],
    }));
    const whole = fileLevel.get(file);
    if (whole !== undefined) cases.unshift({ name: "(file)", findings: whole });
    return { file, cases };
  });
}

// Two documents with the same kind and name would otherwise be indistinguishable in a CI report.
function caseNames(docs: readonly ReportDocument[]): string[] {
  const base = docs.map((doc) =>
    doc.kind && doc.name ? `${doc.kind}/${doc.name}` : `document ${doc.index + 1}`,
  );
  return base.map((name, i) =>
    base.indexOf(name) !== base.lastIndexOf(name)
      ? `${name} (document ${(docs[i]?.index ?? i) + 1})`
      : name,
  );
}

function caseLines(file: string, testCase: TestCase): string[] {
  const head = `    <testcase name="${attr(testCase.name)}" classname="${attr(file)}"`;
  if (testCase.findings.length === 0) return [`${head}/>`];
  const lines = [`${head}>`];
  const warnings: string[] = [];
  for (const finding of testCase.findings) {
    if (finding.severity === "warning") {
      warnings.push(describe(finding));
      continue;
    }
    lines.push(
      `      <failure message="${attr(finding.message)}" type="${attr(finding.rule)}">${xmlEscape(describe(finding))}</failure>`,
    );
  }
  if (warnings.length > 0) {
    lines.push(`      <system-out>${xmlEscape(warnings.join("\n"))}</system-out>`);
  }
  lines.push(`    </testcase>`);
  return lines;
}

function describe(finding: Finding): string {
  const { line, column } = findingPosition(finding);
  const pointer = finding.location.pointer === undefined ? "" : ` (at ${finding.location.pointer})`;
  return `${finding.location.file}:${line}:${column}: ${finding.severity} [${finding.rule}] ${finding.message}${pointer}`;
}

function failedCases(suite: Suite): number {
  return suite.cases.filter((c) => c.findings.some((f) => f.severity === "error")).length;
}

function attr(text: string): string {
  return xmlEscape(text, "attribute");
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
