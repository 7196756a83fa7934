import assert from "node:assert/strict";
import { isReportFormat, renderReport, reportFormats } from "../../../src/report/render-report.js";
import { renderGithub } from "../../../src/report/render-github.js";
import { renderJson } from "../../../src/report/render-json.js";
import { renderJunit } from "../../../src/report/render-junit.js";
import { renderSarif } from "../../../src/report/render-sarif.js";
import { renderText } from "../../../src/report/render-text.js";
import { denied, report, schemaError } from "./fixtures.js";

describe("renderReport", () => {
  it("dispatches every format of `validate -o` to its renderer", () => {
    const input = report([denied]);
    assert.deepEqual(reportFormats, ["text", "json", "junit", "sarif", "github"]);
    assert.equal(renderReport(input, "text"), renderText(input));
    assert.equal(renderReport(input, "text", { color: true }), renderText(input, { color: true }));
    assert.equal(renderReport(input, "json"), renderJson(input));
    assert.equal(renderReport(input, "junit"), renderJunit(input));
    assert.equal(renderReport(input, "sarif"), renderSarif(input));
    assert.equal(renderReport(input, "github"), renderGithub(input));
  });

  it("recognises format names", () => {
    assert.equal(isReportFormat("sarif"), true);
    assert.equal(isReportFormat("xml"), false);
  });
});

describe("control characters in file names and messages", () => {
  it("are escaped in text and github output, so no file name can drive a terminal or a log", () => {
    const hostile = {
      ...schemaError,
      message: "bad key \u001b]8;;x\u0007 and \u202etxt.exe\nsecond line",
      location: { ...schemaError.location, file: "a/evil\nname\u001b[31m\t\u2028\u202e.yaml" },
    };
    const input = report([hostile]);
    const text = renderReport(input, "text");
    assert.equal(
      text.split("\n")[0],
      "a/evil\\nname\\x1b[31m\\t\\u2028\\u202e.yaml:4:1: error [schema] bad key \\x1b]8;;x\\x07 and \\u202etxt.exe",
    );
    assert.equal(text.split("\n")[1], "    second line");
    const github = renderReport(input, "github");
    assert.equal(
      github.split("\n")[0],
      "::error file=a/evil\\nname\\x1b[31m\\t\\u2028\\u202e.yaml,line=4,col=1,title=schema::bad key \\x1b]8;;x\\x07 and \\u202etxt.exe%0Asecond line",
    );
    const unsafe = (c: string) => {
      const code = c.charCodeAt(0);
      return (
        (code < 0x20 && c !== "\n") ||
        (code >= 0x7f && code <= 0x9f) ||
        /[\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(c)
      );
    };
    for (const output of [text, github]) assert.deepEqual([...output].filter(unsafe), []);
  });
});
