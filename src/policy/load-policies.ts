import { appendAll } from "../core/append-all.js";
import type { Finding } from "../core/finding.js";
import { compareStrings, joinPointer } from "../core/finding.js";
import type { ManifestDocument } from "../core/manifest.js";
import { objectMetaOf, typeMetaOf } from "../core/manifest.js";
import type { ClaimPolicy, PolicyEffect, PolicyRule, RuleMatch } from "./claim-policy.js";
import { claimPolicyApiVersion, policyEffects } from "./claim-policy.js";
import { asArray, asRecord, asString, asStringArray } from "../core/lenient.js";

export interface LoadedPolicies {
  /** Sorted by name (then file and document), which is the order they are evaluated in. */
  policies: ClaimPolicy[];
  findings: Finding[];
}

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
 * Picks the `ClaimPolicy` documents out of `documents` and returns their typed views, in
 * evaluation order. Other kinds are ignored. Schema problems are reported elsewhere: a rule without
 * a name or with an unknown effect is left out here rather than guessed at. A rule name used twice
 * within one policy is a `policy-duplicate-rule` error, since reasons and reviews name rules.
 */
export function loadPolicies(documents: readonly ManifestDocument[]): LoadedPolicies {
  const policies: ClaimPolicy[] = [];
  const findings: Finding[] = [];
  for (const document of documents) {
    const type = typeMetaOf(document.value);
    if (type?.apiVersion !== claimPolicyApiVersion || type.kind !== "ClaimPolicy") continue;
    const name = objectMetaOf(document.value).name || `${document.file}#${document.index}`;
    const entries = asArray(asRecord(document.value.spec)?.rules);
    appendAll(findings, duplicateRuleFindings(document, name, entries));
    const rules = entries.flatMap(ruleOf);
    policies.push({ name, file: document.file, document: document.index, rules });
  }
  return { policies: sortPolicies(policies), findings };
}

/** Policies in evaluation order: by name, then by file and document, whatever the input order. */
export function sortPolicies(policies: readonly ClaimPolicy[]): ClaimPolicy[] {
  return [...policies].sort(
    (a, b) =>
      compareStrings(a.name, b.name) || compareStrings(a.file, b.file) || a.document - b.document,
  );
}

function ruleOf(value: unknown, index: number): PolicyRule[] {
  const rule = asRecord(value);
  const name = asString(rule?.name);
  const effect = asString(rule?.effect);
  if (rule === undefined || !name || !isEffect(effect)) return [];
  const reason = asString(rule.reason);
  return [
    {
      name,
      effect,
      ...(reason === undefined ? {} : { reason }),
      match: matchOf(rule.match),
      index,
    },
  ];
}

function matchOf(value: unknown): RuleMatch {
  const match = asRecord(value) ?? {};
  const result: RuleMatch = {};
  for (const field of matchFields) {
    const list = asStringArray(match[field]);
    if (list !== undefined) result[field] = list;
  }
  return result;
}

function duplicateRuleFindings(
  document: ManifestDocument,
  policy: string,
  entries: readonly unknown[],
): Finding[] {
  const first = new Map<string, number>();
  const findings: Finding[] = [];
  entries.forEach((entry, index) => {
    const name = asString(asRecord(entry)?.name);
    if (name === undefined) return;
    const earlier = first.get(name);
    if (earlier === undefined) {
      first.set(name, index);
      return;
    }
    findings.push({
      severity: "error",
      rule: "policy-duplicate-rule",
      message: `rule name "${name}" is used more than once in policy ${policy} (first at ${joinPointer("spec", "rules", earlier)}); rule names must be unique within a policy`,
      location: {
        file: document.file,
        document: document.index,
        pointer: joinPointer("spec", "rules", index, "name"),
      },
    });
  });
  return findings;
}

function isEffect(value: string | undefined): value is PolicyEffect {
  return policyEffects.includes(value as PolicyEffect);
}
