import assert from "node:assert/strict";
import { evaluateClaims } from "../../../src/policy/evaluate-claims.js";
import { loadPolicies } from "../../../src/policy/load-policies.js";
import { policyFindings } from "../../../src/policy/policy-findings.js";
import { bindingDoc, doc, secretsLabelled, secretsMatchAll } from "./fixtures.js";

const defaults = doc(`
apiVersion: bindops.dev/v1alpha1
kind: ClaimPolicy
metadata: {name: bindops-defaults}
spec:
  rules:
  - name: deny-all-secrets
    effect: deny
    reason: "A claim on every Secret hands the provider all of the consumer's credentials."
    match: {groups: [""], resources: [secrets], selectors: [MatchAll]}
  - name: quiet
    effect: deny
    match: {resources: [configmaps]}
  - name: review-cluster-wide
    effect: require-approval
    reason: "  Cluster-wide claims reach every namespace.  "
    match: {scopes: [Cluster], groups: ["", example.com]}
  - name: named-ok
    effect: allow
    reason: "Named claims are narrow."
    match: {selectors: [Named]}
`);

function findingsFor(claims: unknown[]) {
  const { policies } = loadPolicies([defaults]);
  return policyFindings(evaluateClaims([bindingDoc({ claims }, "b.yaml", 3)], policies));
}

describe("policyFindings", () => {
  it("turns a deny into an error at the claim, carrying the rule's reason", () => {
    assert.deepEqual(findingsFor([secretsLabelled, secretsMatchAll])[1], {
      severity: "error",
      rule: "policy-denied",
      message:
        "claim on secrets (selector: MatchAll) is denied by policy bindops-defaults, rule deny-all-secrets: A claim on every Secret hands the provider all of the consumer's credentials.",
      location: { file: "b.yaml", document: 3, pointer: "/spec/permissionClaims/1" },
    });
  });

  it("turns require-approval into a warning", () => {
    assert.deepEqual(findingsFor([secretsLabelled]), [
      {
        severity: "warning",
        rule: "policy-requires-approval",
        message:
          "claim on secrets (selector: Label) requires approval under policy bindops-defaults, rule review-cluster-wide: Cluster-wide claims reach every namespace.",
        location: { file: "b.yaml", document: 3, pointer: "/spec/permissionClaims/0" },
      },
    ]);
  });

  it("writes a non-core resource with its group and lists every selector shape", () => {
    const [finding] = findingsFor([
      {
        group: "example.com",
        resource: "widgets",
        selector: { labelSelector: { matchLabels: { a: "b" } }, namedResources: [{ name: "w" }] },
      },
    ]);
    assert.match(
      finding?.message ?? "",
      /^claim on widgets\.example\.com \(selector: Label, Named\) /,
    );
  });

  it("omits the reason separator when the rule has no reason", () => {
    const [finding] = findingsFor([{ group: "", resource: "configmaps", selector: {} }]);
    assert.equal(
      finding?.message,
      "claim on configmaps (selector: Empty) is denied by policy bindops-defaults, rule quiet",
    );
  });

  it("yields nothing for allowed claims, explicit or by default", () => {
    const named = {
      ...secretsLabelled,
      selector: { namedResources: [{ name: "x", namespace: "n" }] },
    };
    const unmatched = {
      group: "",
      resource: "serviceaccounts",
      selector: { namedResources: [{ name: "a", namespace: "b" }] },
    };
    assert.deepEqual(findingsFor([named, unmatched]), []);
  });
});
