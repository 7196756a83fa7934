import assert from "node:assert/strict";
import { loadPolicies } from "../../../src/policy/load-policies.js";
import { doc, policyDoc } from "./fixtures.js";

describe("loadPolicies", () => {
  it("returns the ClaimPolicy documents as typed policies, sorted by name, ignoring other kinds", () => {
    const { policies, findings } = loadPolicies([
      policyDoc("zeta", [{ name: "z", effect: "allow" }]),
      doc("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: zz}\n", "cm.yaml"),
      doc("apiVersion: bindops.dev/v1alpha1\nkind: ServiceBinding\nmetadata: {name: b}\n"),
      policyDoc("alpha", [
        {
          name: "deny-all-secrets",
          effect: "deny",
          reason: "every Secret is too much",
          match: { groups: [""], resources: ["secrets"], selectors: ["MatchAll"] },
        },
      ]),
    ]);
    assert.deepEqual(findings, []);
    assert.deepEqual(
      policies.map((p) => p.name),
      ["alpha", "zeta"],
    );
    assert.deepEqual(policies[0], {
      name: "alpha",
      file: "policies/alpha.yaml",
      document: 0,
      rules: [
        {
          name: "deny-all-secrets",
          effect: "deny",
          reason: "every Secret is too much",
          match: { groups: [""], resources: ["secrets"], selectors: ["MatchAll"] },
          index: 0,
        },
      ],
    });
  });

  it("orders policies with the same name by file and document, whatever the input order", () => {
    const { policies } = loadPolicies([
      policyDoc("same", [], "policies/b.yaml", 1),
      policyDoc("same", [], "policies/b.yaml", 0),
      policyDoc("same", [], "policies/a.yaml", 3),
    ]);
    assert.deepEqual(
      policies.map((p) => `${p.file}#${p.document}`),
      ["policies/a.yaml#3", "policies/b.yaml#0", "policies/b.yaml#1"],
    );
  });

  it("reports a rule name used twice within one policy, pointing at the second use", () => {
    const { findings } = loadPolicies([
      policyDoc(
        "defaults",
        [
          { name: "a", effect: "deny" },
          { name: "b", effect: "allow" },
          { name: "a", effect: "allow" },
        ],
        "policies/defaults.yaml",
        2,
      ),
      // The same name in another policy is fine.
      policyDoc("other", [{ name: "a", effect: "deny" }]),
    ]);
    assert.deepEqual(findings, [
      {
        severity: "error",
        rule: "policy-duplicate-rule",
        message:
          'rule name "a" is used more than once in policy defaults (first at /spec/rules/0); rule names must be unique within a policy',
        location: { file: "policies/defaults.yaml", document: 2, pointer: "/spec/rules/2/name" },
      },
    ]);
  });

  it("reports duplicate names even on rules it cannot use", () => {
    const { findings } = loadPolicies([
      policyDoc("p", [
        { name: "a", effect: "deny" },
        { name: "a", effect: "maybe" },
      ]),
    ]);
    assert.deepEqual(
      findings.map((f) => f.location.pointer),
      ["/spec/rules/1/name"],
    );
  });

  it("never throws on wrong shapes and keeps only usable rules", () => {
    const shapes = [
      "apiVersion: bindops.dev/v1alpha1\nkind: ClaimPolicy\nmetadata: {name: a}\n",
      "apiVersion: bindops.dev/v1alpha1\nkind: ClaimPolicy\nmetadata: {name: b}\nspec: 3\n",
      "apiVersion: bindops.dev/v1alpha1\nkind: ClaimPolicy\nmetadata: {name: c}\nspec: {rules: nope}\n",
      "apiVersion: bindops.dev/v1alpha1\nkind: ClaimPolicy\nmetadata: {name: d}\nspec:\n  rules: [null, 5, [], {name: 1, effect: deny}, {name: x, effect: maybe}, {effect: deny}]\n",
    ];
    const { policies, findings } = loadPolicies(shapes.map((s, i) => doc(s, "p.yaml", i)));
    assert.deepEqual(findings, []);
    assert.deepEqual(
      policies.map((p) => [p.name, p.rules.length]),
      [
        ["a", 0],
        ["b", 0],
        ["c", 0],
        ["d", 0],
      ],
    );
  });

  it("reads match fields leniently: non-list fields are absent, non-strings are dropped", () => {
    const { policies } = loadPolicies([
      policyDoc("p", [
        {
          name: "r",
          effect: "require-approval",
          match: { groups: "", resources: ["secrets", 7], scopes: null, bogus: ["x"] },
        },
      ]),
    ]);
    assert.deepEqual(policies[0]?.rules[0]?.match, { resources: ["secrets"] });
  });

  it("names a policy without metadata.name after its location", () => {
    const { policies } = loadPolicies([
      doc("apiVersion: bindops.dev/v1alpha1\nkind: ClaimPolicy\nspec: {rules: []}\n", "p.yaml", 4),
    ]);
    assert.equal(policies[0]?.name, "p.yaml#4");
  });
});
