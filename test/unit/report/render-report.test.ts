import assert from "node:assert/strict";
import { isReportFormat, renderReport, reportFormats } from "../../../src/report/render-report.js";
import { renderGithub } from "../../../src/report/render-github.js";
import { renderJson } from "../../../src/report/render-json.js";
import { renderJunit } from "../../../src/report/render-junit.js";
import { renderSarif } from "../../../src/report/render-sarif.js";
import { renderText } from "../../../src/report/render-text.js";
import { denied, report } from "./fixtures.js";

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
