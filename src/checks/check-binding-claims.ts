import type { Finding } from "../core/finding.js";
import { documentFinding } from "./document-finding.js";
import { templateOf } from "./check-claims.js";
import { asArray, asString, field } from "../core/lenient.js";
import type { RepositoryIndex } from "./repository-index.js";
import { uncoveredBranches } from "../core/selector-covers.js";

/**
 * A ServiceBinding accepts only what its template asks for: each accepted claim has a template
 * claim of the same group and resource (`binding-claim-not-in-template`), and selects no more than
 * it (`binding-claim-wider`, one finding per branch of the binding's selector that the template's
 * does not cover; {@link uncoveredBranches} defines "covers"). Skipped when the template is not
 * found (that is `binding-unknown-template`).
 */
export function checkBindingClaims(index: RepositoryIndex): Finding[] {
  const findings: Finding[] = [];
  for (const binding of index.bindings) {
    const template = templateOf(index, binding);
    if (template === undefined) continue;
    const templateName = template.name ?? "";
    const templateClaims = asArray(field(template.document.value, "spec", "permissionClaims"));
    const claimFor = (group: string, resource: string) =>
      templateClaims.find(
        (c) =>
          (asString(field(c, "group")) ?? "") === group &&
          asString(field(c, "resource")) === resource,
      );
    const defaultVersions = (group: string, resource: string) =>
      template.resources.find((r) => r.group === group && r.resource === resource)?.versions;

    asArray(field(binding.value, "spec", "permissionClaims")).forEach((claim, i) => {
      const group = asString(field(claim, "group")) ?? "";
      const resource = asString(field(claim, "resource"));
      if (resource === undefined) return;
      const shown = group === "" ? resource : `${resource}.${group}`;
      const pointer = `/spec/permissionClaims/${i}`;
      const wanted = claimFor(group, resource);
      if (wanted === undefined) {
        findings.push(
          documentFinding(
            "binding-claim-not-in-template",
            binding,
            pointer,
            `template ${templateName} (${template.document.file}) asks for no claim on ${shown}; a binding can only accept the template's claims`,
          ),
        );
        return;
      }
      const uncovered = uncoveredBranches(
        field(wanted, "selector"),
        field(claim, "selector"),
        defaultVersions,
      );
      for (const branch of uncovered) {
        findings.push(
          documentFinding(
            "binding-claim-wider",
            binding,
            `${pointer}/selector${branch.pointer}`,
            `the claim on ${shown} selects more than template ${templateName} asks for: ${branch.reason}`,
          ),
        );
      }
    });
  }
  return findings;
}
