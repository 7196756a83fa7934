import assert from "node:assert/strict";
import { renderText } from "../../../src/report/render-text.js";
import { approval, denied, fileLevel, report, schemaError } from "./fixtures.js";

const esc = "\u001b";

function controlCharacters(text: string): string[] {
  return [...text].filter((c) => c.charCodeAt(0) < 0x20 && c !== "\n");
}

describe("renderText", () => {
  it("prints one line per finding in file, line, column order, then a summary", () => {
    const output = renderText(report([denied, approval, fileLevel, schemaError]));
    assert.equal(
      output,
      [
        "a/first.yaml:4:1: error [schema] spec.provider is required",
        "broken.yaml:1:1: error [yaml-syntax] not UTF-8",
        "consumers/c/bindings/orders.yaml:3:3: warning [policy-requires-approval] claim on configmaps needs approval",
        "consumers/c/bindings/orders.yaml:12:5: error [policy-denied] claim on secrets (selector: MatchAll) is denied",
        "3 errors, 1 warning in 3 files (5 documents)",
        "",
      ].join("\n"),
    );
  });

  it("says so when there is nothing to report", () => {
    assert.equal(renderText(report([])), "✓ no problems in 3 files (5 documents)\n");
    assert.equal(
      renderText(report([], { files: 1, documents: 1 })),
      "✓ no problems in 1 file (1 document)\n",
    );
    assert.equal(
      renderText(report([], { files: 0, documents: 0 })),
      "✓ no problems in 0 files (0 documents)\n",
    );
  });

  it("counts warnings alone", () => {
    assert.match(
      renderText(report([approval])),
      /\n0 errors, 1 warning in 3 files \(5 documents\)\n$/,
    );
  });

  it("uses no colour unless asked, and colours severities and the summary when asked", () => {
    const input = report([denied, approval]);
    assert.ok(!renderText(input).includes(esc));
    const coloured = renderText(input, { color: true });
    assert.ok(coloured.includes(`${esc}[31merror${esc}[0m`), coloured);
    assert.ok(coloured.includes(`${esc}[33mwarning${esc}[0m`), coloured);
    assert.ok(coloured.includes(`${esc}[1m${esc}[31m1 error, 1 warning in 3 files`), coloured);
    const clean = renderText(report([]), { color: true });
    assert.ok(clean.includes(`${esc}[1m${esc}[32m✓ no problems`), clean);
  });

  it("does not pass terminal control characters through, and indents continuation lines", () => {
    const output = renderText(
      report([{ ...schemaError, message: "bad \u001b[2Jkey\r\nsecond line\u0007" }]),
    );
    assert.equal(output.split("\n")[0], "a/first.yaml:4:1: error [schema] bad \\x1b[2Jkey");
    assert.equal(output.split("\n")[1], "    second line\\x07");
    assert.deepEqual(controlCharacters(output), []);
  });
});
