import { canonicalJson } from "../core/canonical-json.js";
import { joinPointer } from "../core/finding.js";
import type { DefaultVersions } from "../core/selector-covers.js";
import type { ClaimSelector, PermissionClaim } from "../core/service-binding.js";
import { claimFactsOf, type ChangeDraft } from "./change-draft.js";
import { compareClaims } from "./compare-claims.js";
import {
  claimedObject,
  claimedObjects,
  describeDirection,
  formatLabelSelector,
  formatNamedResource,
  formatReference,
} from "./describe-claim.js";
import { gradeClaim } from "./grade-claim.js";
import type { ChangeKind, ReviewSubject } from "./review.js";

/** The claims of a binding or template in one revision. */
export interface ClaimList {
  claims: readonly PermissionClaim[];
  /** A binding's `spec.namespaces`; absent for a template. */
  namespaces?: readonly string[];
  defaultVersions: DefaultVersions;
  /** A binding's `spec.isolation`, when set. */
  isolation?: string;
  /** The document that holds them. */
  file: string;
  document: number;
}

/**
 * The claim changes between two revisions of one binding's or template's claims, matched by group
 * and resource (kube-bind allows one claim per resource). Without a base, every claim of the head
 * is granted anew (a new binding, or one that moved to another consumer or provider).
 */
export function diffClaimLists(
  subject: ReviewSubject,
  base: ClaimList | undefined,
  head: ClaimList,
  where: "binding" | "template",
): ChangeDraft[] {
  const drafts: ChangeDraft[] = [];
  const before = byResource(base?.claims ?? []);
  const after = byResource(head.claims);
  const headAt = (pointer: string) => ({
    side: "head" as const,
    file: head.file,
    document: head.document,
    pointer,
  });
  for (const [key, { claim, index }] of after) {
    const pointer = joinPointer("spec", "permissionClaims", index);
    const decide =
      where === "binding"
        ? { file: head.file, document: head.document, claimIndex: index }
        : undefined;
    const draft = (kind: ChangeKind, title: string, details: string[]): ChangeDraft => {
      const facts = claimFactsOf(claim, head.namespaces);
      const grants = kind === "claim-added" || kind === "claim-widened" || kind === "claim-changed";
      const graded = grants
        ? gradeClaim(facts, where)
        : {
            grade: "info" as const,
            reasons: [
              kind === "claim-narrowed" ? "grants less than before" : "grants the same as before",
            ],
          };
      const previous = before.get(key)?.claim;
      return {
        subject,
        kind,
        title,
        details,
        ...graded,
        claim: {
          group: claim.group,
          resource: claim.resource,
          ...(previous ? { before: claimFactsOf(previous, base?.namespaces) } : {}),
          after: facts,
        },
        at: headAt(pointer),
        ...(grants && decide ? { decide } : {}),
      };
    };
    const objects = claimedObjects(claim.group, claim.resource);
    const was = before.get(key);
    if (was === undefined || base === undefined) {
      drafts.push(draft("claim-added", `${objects} claim added`, describeClaim(claim, head)));
      continue;
    }
    const comparison = compareClaims(
      { claim: was.claim, ...namespacesOf(base), defaultVersions: base.defaultVersions },
      { claim, ...namespacesOf(head), defaultVersions: head.defaultVersions },
    );
    const { wider, narrower } = comparison;
    if (wider.length > 0 && narrower.length > 0) {
      drafts.push(
        draft("claim-changed", `${objects} claim changed: wider in one way, narrower in another`, [
          ...wider.map((w) => `wider: ${w}`),
          ...narrower.map((n) => `narrower: ${n}`),
        ]),
      );
    } else if (wider.length > 0) {
      drafts.push(draft("claim-widened", `${objects} claim widened`, wider));
    } else if (narrower.length > 0) {
      drafts.push(draft("claim-narrowed", `${objects} claim narrowed`, narrower));
    } else if (canonicalJson(was.claim) !== canonicalJson(claim)) {
      drafts.push(
        draft("claim-rewritten", `${objects} claim rewritten: it selects the same objects`, []),
      );
    }
  }
  if (base === undefined) return drafts;
  for (const [key, { claim }] of before) {
    if (after.has(key)) continue;
    drafts.push({
      subject,
      kind: "claim-removed",
      title: `${claimedObjects(claim.group, claim.resource)} claim removed`,
      details: describeClaim(claim, base),
      grade: "info",
      reasons: ["grants less than before"],
      claim: {
        group: claim.group,
        resource: claim.resource,
        before: claimFactsOf(claim, base.namespaces),
      },
      at: headAt(joinPointer("spec", "permissionClaims")),
    });
  }
  return drafts;
}

function namespacesOf(list: ClaimList): { namespaces?: readonly string[]; isolation?: string } {
  return {
    ...(list.namespaces === undefined ? {} : { namespaces: list.namespaces }),
    ...(list.isolation === undefined ? {} : { isolation: list.isolation }),
  };
}

/** Claims by `group/resource`; a second claim on the same resource (invalid) by its position. */
function byResource(
  claims: readonly PermissionClaim[],
): Map<string, { claim: PermissionClaim; index: number }> {
  const map = new Map<string, { claim: PermissionClaim; index: number }>();
  claims.forEach((claim, index) => {
    if (claim.resource === "") return;
    let key = `${claim.group}/${claim.resource}`;
    for (let n = 2; map.has(key); n++) key = `${claim.group}/${claim.resource}#${n}`;
    map.set(key, { claim, index });
  });
  return map;
}

/** What a claim grants, one fact a line: its selector's branches, direction and namespaces. */
export function describeClaim(
  claim: PermissionClaim,
  list: Pick<ClaimList, "namespaces">,
): string[] {
  const lines = describeSelector(claim.selector, claim.group, claim.resource);
  lines.push(
    `direction ${describeDirection(claim.direction, claimedObjects(claim.group, claim.resource))}`,
  );
  if (list.namespaces !== undefined) {
    lines.push(
      list.namespaces.length > 0
        ? `namespaces: ${list.namespaces.join(", ")}`
        : "namespaces: all (the binding lists none)",
    );
  }
  return lines;
}

function describeSelector(selector: ClaimSelector, group: string, resource: string): string[] {
  const lines: string[] = [];
  if (selector.labelSelector !== undefined) {
    const text = formatLabelSelector(selector.labelSelector);
    lines.push(
      `labelSelector: ${text}${text === "{}" ? ` (every ${claimedObject(group, resource)} in scope)` : ""}`,
    );
  }
  for (const entry of selector.namedResources ?? [])
    lines.push(`names ${formatNamedResource(entry)}`);
  for (const entry of selector.references ?? []) lines.push(`reference: ${formatReference(entry)}`);
  if (lines.length === 0)
    lines.push("selects nothing (no labelSelector, namedResources or references)");
  return lines;
}
