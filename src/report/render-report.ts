import { renderGithub } from "./render-github.js";
import { renderJson } from "./render-json.js";
import { renderJunit } from "./render-junit.js";
import { renderSarif } from "./render-sarif.js";
import type { TextOptions } from "./render-text.js";
import { renderText } from "./render-text.js";
import type { ValidateReport } from "./validate-report.js";

import { reportFormats, type ReportFormat } from "./validate-report.js";

export { reportFormats, type ReportFormat };

export function isReportFormat(value: string): value is ReportFormat {
  return reportFormats.includes(value as ReportFormat);
}

/** Renders `report` in `format`; only `text` looks at the options. */
export function renderReport(
  report: ValidateReport,
  format: ReportFormat,
  options: TextOptions = {},
): string {
  switch (format) {
    case "text":
      return renderText(report, options);
    case "json":
      return renderJson(report);
    case "junit":
      return renderJunit(report);
    case "sarif":
      return renderSarif(report);
    case "github":
      return renderGithub(report);
  }
}
