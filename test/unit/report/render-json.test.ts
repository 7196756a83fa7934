import assert from "node:assert/strict";
import { renderJson } from "../../../src/report/render-json.js";
import { approval, denied, fileLevel, report } from "./fixtures.js";

describe("renderJson", () => {
  it("writes the documented shape with sorted findings and 1-based positions", () => {
    const output = renderJson(report([denied, fileLevel, approval]));
    assert.ok(output.endsWith("}\n"));
    assert.deepEqual(JSON.parse(output), {
      version: 1,
      root: "/home/me/platform",
      summary: { errors: 2, warnings: 1, files: 3, documents: 5 },
      findings: [
        {
          severity: "error",
          rule: "yaml-syntax",
          message: "not UTF-8",
          file: "broken.yaml",
          line: 1,
          column: 1,
        },
        {
          severity: "warning",
          rule: "policy-requires-approval",
          message: "claim on configmaps needs approval",
          file: "consumers/c/bindings/orders.yaml",
          line: 3,
          column: 3,
          pointer: "/spec/permissionClaims/2",
          document: 0,
        },
        {
          severity: "error",
          rule: "policy-denied",
          message: "claim on secrets (selector: MatchAll) is denied",
          file: "consumers/c/bindings/orders.yaml",
          line: 12,
          column: 5,
          pointer: "/spec/permissionClaims/0",
          document: 1,
        },
      ],
    });
  });

  it("keeps the key order stable for diffing", () => {
    const parsed = JSON.parse(renderJson(report([denied]))) as Record<string, unknown>;
    assert.deepEqual(Object.keys(parsed), ["version", "root", "summary", "findings"]);
    const [finding] = parsed.findings as Record<string, unknown>[];
    assert.deepEqual(Object.keys(finding!), [
      "severity",
      "rule",
      "message",
      "file",
      "line",
      "column",
      "pointer",
      "document",
    ]);
  });

  it("writes an empty result", () => {
    assert.deepEqual(JSON.parse(renderJson(report([], { files: 0, documents: 0 }))), {
      version: 1,
      root: "/home/me/platform",
      summary: { errors: 0, warnings: 0, files: 0, documents: 0 },
      findings: [],
    });
  });

  it("round-trips messages with quotes, newlines and control characters", () => {
    const message = 'a "quoted"\nline\u0000 <&>';
    const parsed = JSON.parse(renderJson(report([{ ...denied, message }]))) as {
      findings: { message: string }[];
    };
    assert.equal(parsed.findings[0]?.message, message);
  });
});
