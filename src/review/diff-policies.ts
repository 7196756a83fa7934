import { canonicalJson } from "../core/canonical-json.js";
import { compareStrings, joinPointer } from "../core/finding.js";
import type { ClaimPolicy, PolicyEffect, PolicyRule, RuleMatch } from "../policy/claim-policy.js";
import type { ChangeDraft } from "./change-draft.js";
import { grades, type Grade, type ReviewSubject } from "./review.js";

/** How much a rule of each effect holds back: a change towards `allow` loosens. */
const strictness: Record<PolicyEffect, number> = { allow: 0, "require-approval": 1, deny: 2 };

const matchFields = [
  "groups",
  "resources",
  "selectors",
  "scopes",
  "directions",
  "providers",
  "consumers",
  "templates",
] as const satisfies readonly (keyof RuleMatch)[];

/**
 * The changes to the repository's own ClaimPolicies (its policies folder), rule by rule. A
 * change that can let more claims through (an `allow` added or matching more, a `deny` or
 * `require-approval` removed or matching less, an effect loosened) is `high`: the claims of the
 * same pull request are judged by the stricter of the old and the new policies, but later ones
 * will not be.
 */
export function diffPolicies(
  base: readonly ClaimPolicy[],
  head: readonly ClaimPolicy[],
): ChangeDraft[] {
  const drafts: ChangeDraft[] = [];
  const byName = (list: readonly ClaimPolicy[]) => new Map(list.map((p) => [p.name, p]));
  const [before, after] = [byName(base), byName(head)];
  const names = [...new Set([...before.keys(), ...after.keys()])].sort(compareStrings);
  for (const name of names) {
    const subject: ReviewSubject = { kind: "ClaimPolicy", name };
    const was = before.get(name);
    const now = after.get(name);
    const wasRules = new Map((was?.rules ?? []).map((r, i) => [r.name, { rule: r, order: i }]));
    const nowRules = new Map((now?.rules ?? []).map((r, i) => [r.name, { rule: r, order: i }]));
    for (const [ruleName, { rule, order }] of nowRules) {
      const at = {
        side: "head" as const,
        file: now!.file,
        document: now!.document,
        pointer: joinPointer("spec", "rules", rule.index),
      };
      const old = wasRules.get(ruleName);
      if (old === undefined) {
        drafts.push({ subject, ...addedRule(rule), at });
        continue;
      }
      const changed = changedRule(old.rule, rule, old.order !== order);
      if (changed) drafts.push({ subject, ...changed, at });
    }
    for (const [ruleName, { rule }] of wasRules) {
      if (nowRules.has(ruleName)) continue;
      const at = now
        ? { side: "head" as const, file: now.file, document: now.document, pointer: "/spec/rules" }
        : { side: "base" as const, file: was!.file, document: was!.document, pointer: "" };
      drafts.push({ subject, ...removedRule(rule), at });
    }
  }
  return drafts;
}

type RuleChange = Pick<ChangeDraft, "kind" | "title" | "details" | "grade" | "reasons">;

function addedRule(rule: PolicyRule): RuleChange {
  const loosens = rule.effect === "allow";
  return {
    kind: "rule-added",
    title: `rule ${rule.name} added (${rule.effect})`,
    details: describeMatch(rule.match),
    grade: loosens ? "high" : "low",
    reasons: [
      loosens
        ? "an allow rule decides the claims it matches before any later rule and the shipped defaults: it can let through what they deny or send for approval"
        : `a new restriction: the claims it matches are ${rule.effect === "deny" ? "denied" : "sent for approval"}`,
    ],
  };
}

function removedRule(rule: PolicyRule): RuleChange {
  const loosens = rule.effect !== "allow";
  return {
    kind: "rule-removed",
    title: `rule ${rule.name} removed (${rule.effect})`,
    details: describeMatch(rule.match),
    grade: loosens ? "high" : "low",
    reasons: [
      loosens
        ? `claims it ${rule.effect === "deny" ? "denied" : "sent for approval"} may now pass`
        : "the claims it allowed fall to the later rules",
    ],
  };
}

function changedRule(was: PolicyRule, now: PolicyRule, reordered: boolean): RuleChange | undefined {
  const details: string[] = [];
  const reasons: string[] = [];
  let grade: Grade = "info";
  const raise = (to: Grade, reason: string) => {
    if (grades.indexOf(to) < grades.indexOf(grade)) grade = to;
    reasons.push(reason);
  };
  if (was.effect !== now.effect) {
    details.push(`effect: ${was.effect} → ${now.effect}`);
    if (strictness[now.effect] < strictness[was.effect]) {
      raise("high", "the effect is looser: the claims it matches get through more easily");
    } else raise("low", "the effect is stricter");
  }
  if (canonicalJson(was.match) !== canonicalJson(now.match)) {
    details.push(...describeMatchChange(was.match, now.match));
    const matchesMore = covers(now.match, was.match);
    const matchesLess = covers(was.match, now.match);
    if (now.effect === "allow") {
      if (matchesLess && !matchesMore) raise("low", "an allow rule that matches fewer claims");
      else raise("high", "an allow rule that may match claims it did not match before");
    } else if (matchesMore && !matchesLess) {
      raise("low", `a ${now.effect} rule that matches more claims`);
    } else {
      raise("medium", `a ${now.effect} rule that may no longer match claims it matched before`);
    }
  }
  if (reordered) {
    details.push("moved among the policy's rules");
    raise("medium", "rules are tried in order and the first match decides");
  }
  if ((was.reason ?? "") !== (now.reason ?? "")) {
    details.push("reason reworded");
    if (reasons.length === 0) reasons.push("only the words a report quotes changed");
  }
  if (details.length === 0) return undefined;
  return {
    kind: "rule-changed",
    title: `rule ${now.name} changed (${now.effect})`,
    details,
    grade,
    reasons,
  };
}

/**
 * Whether every claim `narrow` matches is matched by `wide`: each field `wide` lists is listed by
 * `narrow` too, with no value `wide` lacks (an absent field matches anything).
 */
function covers(wide: RuleMatch, narrow: RuleMatch): boolean {
  return matchFields.every((field) => {
    const w = wide[field];
    const n = narrow[field];
    if (w === undefined) return true;
    return n !== undefined && n.every((value) => w.includes(value));
  });
}

function describeMatch(match: RuleMatch): string[] {
  const lines = matchFields.flatMap((field) => {
    const values = match[field];
    return values === undefined
      ? []
      : [`${field}: ${values.map((v) => JSON.stringify(v)).join(", ")}`];
  });
  return lines.length > 0 ? lines : ["matches every claim"];
}

function describeMatchChange(was: RuleMatch, now: RuleMatch): string[] {
  const shown = (values: string[] | undefined) =>
    values === undefined ? "any" : values.map((v) => JSON.stringify(v)).join(", ") || "nothing";
  return matchFields.flatMap((field) =>
    canonicalJson(was[field]) === canonicalJson(now[field])
      ? []
      : [`match.${field}: ${shown(was[field])} → ${shown(now[field])}`],
  );
}
