import { appendAll } from "../core/append-all.js";
import { compareStrings, joinPointer } from "../core/finding.js";
import type { ChangeDraft } from "./change-draft.js";
import { claimedObjects } from "./describe-claim.js";
import { describeClaim, diffClaimLists, type ClaimList } from "./diff-claim-lists.js";
import type { Grade, ReviewSubject } from "./review.js";
import type { ReviewSide, SideBinding } from "./review-side.js";

/**
 * The changes to ServiceBindings between two revisions. A binding is known by its consumer and
 * name; one that disappears from a consumer while a binding of the same name appears on another
 * has moved. A moved binding, or one that now names another provider or template, grants each of
 * its claims anew, so each is a `claim-added`.
 */
export function diffBindings(base: ReviewSide, head: ReviewSide): ChangeDraft[] {
  const drafts: ChangeDraft[] = [];
  const gone = [...base.bindings.values()].filter((b) => !head.bindings.has(b.key));
  const sorted = [...head.bindings.values()].sort((a, b) => compareStrings(a.key, b.key));
  for (const after of sorted) {
    const before = base.bindings.get(after.key);
    if (before !== undefined) {
      // A file with the same bytes in both revisions was parsed once: the same document, which
      // changes nothing unless the template it resolves to did.
      const same =
        before.document === after.document &&
        before.template?.document === after.template?.document;
      if (!same) appendAll(drafts, compareBinding(before, after));
      continue;
    }
    const i = gone.findIndex((b) => b.view.name === after.view.name);
    if (i < 0) {
      appendAll(drafts, addedBinding(after));
      continue;
    }
    const [moved] = gone.splice(i, 1);
    appendAll(drafts, movedBinding(moved!, after));
  }
  for (const before of gone) drafts.push(removedBinding(before));
  return drafts;
}

function subjectOf(binding: SideBinding): ReviewSubject {
  return {
    kind: "ServiceBinding",
    name: binding.view.name,
    ...(binding.view.consumer === undefined ? {} : { scope: binding.view.consumer }),
  };
}

function claimList(binding: SideBinding): ClaimList {
  const resources = binding.template?.resources ?? [];
  return {
    claims: binding.view.claims,
    namespaces: binding.view.namespaces,
    ...(binding.view.isolation === undefined ? {} : { isolation: binding.view.isolation }),
    defaultVersions: (group, resource) =>
      resources.find((r) => r.group === group && r.resource === resource)?.versions,
    file: binding.document.file,
    document: binding.document.index,
  };
}

const headAt = (binding: SideBinding, pointer: string) => ({
  side: "head" as const,
  file: binding.document.file,
  document: binding.document.index,
  pointer,
});

const what = (binding: SideBinding) =>
  `template ${binding.view.template ?? "(none)"} of provider ${binding.view.provider ?? "(none)"}`;

function addedBinding(after: SideBinding): ChangeDraft[] {
  const subject = subjectOf(after);
  const count = after.view.claims.length;
  return [
    {
      subject,
      kind: "added",
      title: `binding added: ${what(after)} on consumer ${after.view.consumer ?? "(none)"}, ${count} claim${count === 1 ? "" : "s"}`,
      details: [],
      grade: "info",
      reasons: ["its claims are listed one by one"],
      at: headAt(after, ""),
    },
    ...diffClaimLists(subject, undefined, claimList(after), "binding"),
  ];
}

function removedBinding(before: SideBinding): ChangeDraft {
  // What each claim selected, without its direction: the claims are gone either way.
  const claims = before.view.claims.map(
    (claim) =>
      `${claimedObjects(claim.group, claim.resource)}: ${describeClaim(claim, {}).slice(0, -1).join("; ")}`,
  );
  return {
    subject: subjectOf(before),
    kind: "removed",
    title: `binding removed: the claims it accepted are revoked`,
    details: claims,
    grade: "info",
    reasons: ["grants less than before"],
    at: {
      side: "base",
      file: before.document.file,
      document: before.document.index,
      pointer: "",
    },
  };
}

function movedBinding(before: SideBinding, after: SideBinding): ChangeDraft[] {
  const subject = subjectOf(after);
  return [
    {
      subject,
      kind: "moved",
      title: `binding moved from consumer ${before.view.consumer ?? "(none)"} to consumer ${after.view.consumer ?? "(none)"}`,
      details: [`${before.document.file} → ${after.document.file}`],
      grade: "info",
      reasons: [`the new consumer's cluster grants each claim anew; they are listed one by one`],
      at: headAt(after, joinPointer("spec", "consumer")),
    },
    ...diffClaimLists(subject, undefined, claimList(after), "binding"),
    ...compareSettings(before, after),
  ];
}

function compareBinding(before: SideBinding, after: SideBinding): ChangeDraft[] {
  const subject = subjectOf(after);
  const drafts: ChangeDraft[] = [];
  const { provider, template } = after.view;
  if (provider !== before.view.provider || template !== before.view.template) {
    drafts.push({
      subject,
      kind: "retargeted",
      title: `binding now binds ${what(after)} (was ${what(before)})`,
      details: [],
      grade: "info",
      reasons: ["another provider receives the claims: each is granted anew, listed one by one"],
      at: headAt(
        after,
        joinPointer("spec", template !== before.view.template ? "template" : "provider"),
      ),
    });
    appendAll(drafts, diffClaimLists(subject, undefined, claimList(after), "binding"));
  } else {
    appendAll(drafts, diffClaimLists(subject, claimList(before), claimList(after), "binding"));
  }
  appendAll(drafts, compareSettings(before, after));
  return drafts;
}

/** The binding's namespaces and isolation. */
function compareSettings(before: SideBinding, after: SideBinding): ChangeDraft[] {
  const subject = subjectOf(after);
  const drafts: ChangeDraft[] = [];
  const [was, now] = [before.view.namespaces, after.view.namespaces];
  const added = now.filter((n) => !was.includes(n));
  const removed = was.filter((n) => !now.includes(n));
  if (added.length > 0 || removed.length > 0) {
    const widens = (was.length > 0 && now.length === 0) || (was.length > 0 && added.length > 0);
    drafts.push({
      subject,
      kind: "namespaces-changed",
      title:
        now.length === 0
          ? "namespaces removed: the claims reach every namespace of the consumer cluster"
          : was.length === 0
            ? `namespaces listed: the claims are confined to ${now.join(", ")}`
            : "namespaces changed",
      details: [
        ...(added.length > 0 ? [`added: ${added.join(", ")}`] : []),
        ...(removed.length > 0 ? [`removed: ${removed.join(", ")}`] : []),
      ],
      grade: widens ? "low" : "info",
      reasons: widens
        ? ["the claims reach more namespaces; each claim that reaches more is listed as widened"]
        : ["the claims reach fewer namespaces"],
      at: headAt(after, joinPointer("spec", "namespaces")),
    });
  }
  const [fromIsolation, toIsolation] = [before.view.isolation, after.view.isolation];
  if (fromIsolation !== toIsolation) {
    const graded = gradeIsolation(after, fromIsolation, toIsolation);
    drafts.push({
      subject,
      kind: "isolation-changed",
      title: `isolation ${fromIsolation ?? "(default)"} → ${toIsolation ?? "(default)"}`,
      details: [],
      ...graded,
      at: headAt(after, joinPointer("spec", "isolation")),
    });
  }
  return drafts;
}

/**
 * kube-bind's isolation decides two things about claims (kube-bind-spec §4.2, §4.3): with `None`
 * a reference may name objects of any kind, and only with `Namespaced` does a reference without
 * a namespace path stay in the referencing object's namespace.
 */
function gradeIsolation(
  after: SideBinding,
  from: string | undefined,
  to: string | undefined,
): { grade: Grade; reasons: string[] } {
  const references = after.view.claims.flatMap((c) => c.selector.references ?? []);
  if (to === "None" && references.length > 0) {
    return {
      grade: "medium",
      reasons: ["isolation None: the claims' references may name objects of any kind"],
    };
  }
  const loose = references.filter((r) => !r.jsonPath.namespace?.trim());
  if (from === "Namespaced" && loose.length > 0) {
    return {
      grade: "medium",
      reasons: [
        `${loose.length} reference${loose.length === 1 ? "" : "s"} without jsonPath.namespace now match${loose.length === 1 ? "es" : ""} objects of that name in any namespace`,
      ],
    };
  }
  return {
    grade: "low",
    reasons: ["changes how the provider's copies are named, not which objects are claimed"],
  };
}
