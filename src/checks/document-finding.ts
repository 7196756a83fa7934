import type { Finding } from "../core/finding.js";
import type { ManifestDocument } from "../core/manifest.js";
import { severityOf, type CheckRuleId } from "./check-rules.js";

/** A finding of `rule` at `pointer` in `document`, with the severity the rule table gives it. */
export function documentFinding(
  rule: CheckRuleId,
  document: ManifestDocument,
  pointer: string,
  message: string,
): Finding {
  return {
    severity: severityOf(rule),
    rule,
    message,
    location: { file: document.file, document: document.index, pointer },
  };
}
