import { appendAll } from "../core/append-all.js";
import type { ExportResource } from "../checks/repository-index.js";
import { compareStrings } from "../core/finding.js";
import type { ChangeDraft } from "./change-draft.js";
import { diffClaimLists, type ClaimList } from "./diff-claim-lists.js";
import type { ReviewSubject } from "./review.js";
import type { ReviewSide, SideTemplate } from "./review-side.js";

/**
 * The changes to APIServiceExportTemplates between two revisions, known by their provider folder
 * and name: the resources they export and the claims they ask for. A template's claims are graded
 * as `kubectl bind` accepts them: whole, in every namespace.
 */
export function diffTemplates(base: ReviewSide, head: ReviewSide): ChangeDraft[] {
  const drafts: ChangeDraft[] = [];
  const keys = [...new Set([...base.templates.keys(), ...head.templates.keys()])].sort(
    compareStrings,
  );
  for (const key of keys) {
    const before = base.templates.get(key);
    const after = head.templates.get(key);
    if (after === undefined) {
      if (before !== undefined) drafts.push(removedTemplate(before));
      continue;
    }
    const subject: ReviewSubject = {
      kind: "APIServiceExportTemplate",
      name: after.name,
      ...(after.provider === "" ? {} : { scope: after.provider }),
    };
    if (before === undefined) {
      drafts.push({
        subject,
        kind: "added",
        title: `template added: exports ${after.info.resources.map(resourceName).join(", ") || "nothing"}`,
        details: [],
        grade: "info",
        reasons: ["its claims are listed one by one"],
        at: at(after, ""),
      });
    } else {
      appendAll(drafts, diffResources(subject, before, after));
    }
    appendAll(
      drafts,
      diffClaimLists(subject, before && claimList(before), claimList(after), "template"),
    );
  }
  return drafts;
}

const resourceName = (r: ExportResource) =>
  `${r.group === "" ? r.resource : `${r.resource}.${r.group}`}${r.versions?.length ? ` (${r.versions.join(", ")})` : ""}`;

const at = (template: SideTemplate, pointer: string) => ({
  side: "head" as const,
  file: template.info.document.file,
  document: template.info.document.index,
  pointer,
});

function claimList(template: SideTemplate): ClaimList {
  const resources = template.info.resources;
  return {
    claims: template.info.claims,
    defaultVersions: (group, resource) =>
      resources.find((r) => r.group === group && r.resource === resource)?.versions,
    file: template.info.document.file,
    document: template.info.document.index,
  };
}

function removedTemplate(before: SideTemplate): ChangeDraft {
  return {
    subject: {
      kind: "APIServiceExportTemplate",
      name: before.name,
      ...(before.provider === "" ? {} : { scope: before.provider }),
    },
    kind: "removed",
    title: "template removed: bindings of it no longer validate",
    details: [],
    grade: "info",
    reasons: ["grants less than before"],
    at: {
      side: "base",
      file: before.info.document.file,
      document: before.info.document.index,
      pointer: "",
    },
  };
}

function diffResources(
  subject: ReviewSubject,
  before: SideTemplate,
  after: SideTemplate,
): ChangeDraft[] {
  const key = (r: ExportResource) => `${r.group}/${r.resource}`;
  const was = new Set(before.info.resources.map(key));
  const now = new Set(after.info.resources.map(key));
  const drafts: ChangeDraft[] = [];
  for (const resource of after.info.resources) {
    if (was.has(key(resource))) continue;
    drafts.push({
      subject,
      kind: "resource-added",
      title: `exports ${resourceName(resource)}`,
      details: [],
      grade: "low",
      reasons: [
        "a new API for the template's consumers; exporting it grants no access to their other objects",
      ],
      at: at(after, resource.pointer),
    });
  }
  for (const resource of before.info.resources) {
    if (now.has(key(resource))) continue;
    drafts.push({
      subject,
      kind: "resource-removed",
      title: `no longer exports ${resourceName(resource)}`,
      details: [],
      grade: "info",
      reasons: ["grants less; bound consumers lose the API"],
      at: at(after, "/spec/resources"),
    });
  }
  return drafts;
}
