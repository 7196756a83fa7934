import type { Finding } from "../../../src/core/finding.js";
import type { ValidateReport } from "../../../src/report/validate-report.js";

export const rules: ValidateReport["rules"] = [
  { id: "schema", severity: "error", description: "Documents match their kind's schema." },
  {
    id: "policy-denied",
    severity: "error",
    description: "A claim policy denies a permission claim.",
    help: "Narrow the claim's selector or ask for a policy change.",
  },
  {
    id: "policy-requires-approval",
    severity: "warning",
    description: "A claim policy asks for approval of a permission claim.",
  },
];

export const denied: Finding = {
  severity: "error",
  rule: "policy-denied",
  message: "claim on secrets (selector: MatchAll) is denied",
  location: {
    file: "consumers/c/bindings/orders.yaml",
    document: 1,
    pointer: "/spec/permissionClaims/0",
    line: 12,
    col: 5,
  },
};

export const approval: Finding = {
  severity: "warning",
  rule: "policy-requires-approval",
  message: "claim on configmaps needs approval",
  location: {
    file: "consumers/c/bindings/orders.yaml",
    document: 0,
    pointer: "/spec/permissionClaims/2",
    line: 3,
    col: 3,
  },
};

export const schemaError: Finding = {
  severity: "error",
  rule: "schema",
  message: "spec.provider is required",
  location: { file: "a/first.yaml", document: 0, pointer: "/spec", line: 4, col: 1 },
};

/** A syntax problem about the whole file: no document, no position. */
export const fileLevel: Finding = {
  severity: "error",
  rule: "yaml-syntax",
  message: "not UTF-8",
  location: { file: "broken.yaml" },
};

export function report(findings: Finding[], extra: Partial<ValidateReport> = {}): ValidateReport {
  return {
    root: "/home/me/platform",
    files: 3,
    documents: 5,
    findings,
    rules,
    toolVersion: "0.1.0",
    ...extra,
  };
}
