import type { Finding } from "../core/finding.js";
import { documentFinding } from "./document-finding.js";
import { templateOf } from "./check-claims.js";
import { serviceBindingOf } from "../core/service-binding.js";
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
  for (const document of index.bindings) {
    const template = templateOf(index, document);
    const binding = serviceBindingOf(document);
    if (template === undefined || binding === undefined) continue;
    const templateName = template.name ?? "";
    const defaultVersions = (group: string, resource: string) =>
      template.resources.find((r) => r.group === group && r.resource === resource)?.versions;

    binding.claims.forEach((claim, i) => {
      const { group, resource } = claim;
      if (resource === "") return;
      const shown = group === "" ? resource : `${resource}.${group}`;
      const pointer = `/spec/permissionClaims/${i}`;
      const wanted = template.claims.find((c) => c.group === group && c.resource === resource);
      if (wanted === undefined) {
        findings.push(
          documentFinding(
            "binding-claim-not-in-template",
            document,
            pointer,
            `template ${templateName} (${template.document.file}) asks for no claim on ${shown}; a binding can only accept the template's claims`,
          ),
        );
        return;
      }
      for (const branch of uncoveredBranches(wanted.selector, claim.selector, defaultVersions)) {
        findings.push(
          documentFinding(
            "binding-claim-wider",
            document,
            `${pointer}/selector${branch.pointer}`,
            `the claim on ${shown} selects more than template ${templateName} asks for: ${branch.reason}`,
          ),
        );
      }
    });
  }
  return findings;
}
