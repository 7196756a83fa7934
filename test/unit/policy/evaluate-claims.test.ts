import assert from "node:assert/strict";
import { evaluateClaims } from "../../../src/policy/evaluate-claims.js";
import { loadPolicies } from "../../../src/policy/load-policies.js";
import { bindingDoc, doc, policyDoc, secretsLabelled, secretsMatchAll } from "./fixtures.js";

type BindingOptions = Omit<Parameters<typeof bindingDoc>[0], "claims">;

/** Whether a single deny rule with `match` catches `claim` of a binding shaped by `binding`. */
function matches(match: Record<string, unknown>, claim: unknown, binding: BindingOptions = {}) {
  const { policies } = loadPolicies([policyDoc("p", [{ name: "r", effect: "deny", match }])]);
  const [decision] = evaluateClaims([bindingDoc({ ...binding, claims: [claim] })], policies);
  assert.ok(decision);
  return decision.effect === "deny";
}

const claim = (extra: Record<string, unknown>) => ({ ...secretsLabelled, ...extra });

describe("evaluateClaims", () => {
  it("allows a claim no rule matches, without naming a policy", () => {
    const decisions = evaluateClaims([bindingDoc({ claims: [secretsLabelled] })], []);
    assert.deepEqual(decisions, [
      {
        binding: {
          file: "consumers/consumer/bindings/orders-db.yaml",
          index: 0,
          name: "orders-db",
        },
        claimIndex: 0,
        claim: {
          group: "",
          resource: "secrets",
          selector: { labelSelector: { matchLabels: { app: "orders-db" } } },
          direction: "Both",
        },
        shapes: ["Label"],
        scope: "Cluster",
        effect: "allow",
      },
    ]);
  });

  it("takes the first matching rule within a policy", () => {
    const { policies } = loadPolicies([
      policyDoc("p", [
        { name: "configmaps", effect: "deny", match: { resources: ["configmaps"] } },
        { name: "first", effect: "require-approval", reason: "look", match: { groups: [""] } },
        { name: "second", effect: "deny", match: { resources: ["secrets"] } },
      ]),
    ]);
    const [decision] = evaluateClaims([bindingDoc({ claims: [secretsLabelled] })], policies);
    assert.equal(decision?.effect, "require-approval");
    assert.equal(decision?.policy, "p");
    assert.equal(decision?.rule, "first");
    assert.equal(decision?.reason, "look");
  });

  it("loads policies in name order, whatever order the files come in", () => {
    const zeta = policyDoc("zeta", [{ name: "z", effect: "deny" }]);
    const alpha = policyDoc("alpha", [{ name: "a", effect: "allow", reason: "fine" }]);
    for (const docs of [
      [zeta, alpha],
      [alpha, zeta],
    ]) {
      const { policies } = loadPolicies(docs);
      const [decision] = evaluateClaims([bindingDoc({ claims: [secretsMatchAll] })], policies);
      assert.deepEqual(
        [decision?.effect, decision?.policy, decision?.rule],
        ["allow", "alpha", "a"],
      );
    }
  });

  it("tries policies in the order given, so a repository's policies can precede the defaults", () => {
    const defaults = loadPolicies([policyDoc("a-defaults", [{ name: "d", effect: "allow" }])]);
    const org = loadPolicies([policyDoc("z-org", [{ name: "o", effect: "deny", reason: "no" }])]);
    const [decision] = evaluateClaims(
      [bindingDoc({ claims: [secretsMatchAll] })],
      [...org.policies, ...defaults.policies],
    );
    assert.deepEqual([decision?.effect, decision?.policy], ["deny", "z-org"]);
  });

  it("falls through to a later policy when no rule of an earlier one matches", () => {
    const { policies } = loadPolicies([
      policyDoc("a", [{ name: "maps", effect: "allow", match: { resources: ["configmaps"] } }]),
      policyDoc("b", [{ name: "secrets", effect: "deny", match: { resources: ["secrets"] } }]),
    ]);
    const [decision] = evaluateClaims([bindingDoc({ claims: [secretsLabelled] })], policies);
    assert.deepEqual([decision?.effect, decision?.policy], ["deny", "b"]);
  });

  describe("match fields", () => {
    it("groups: the core group is the empty string", () => {
      assert.equal(matches({ groups: [""] }, secretsLabelled), true);
      assert.equal(matches({ groups: [""] }, claim({ group: "example.com" })), false);
      assert.equal(matches({ groups: ["example.com"] }, claim({ group: "example.com" })), true);
      assert.equal(matches({ groups: ["example.com"] }, secretsLabelled), false);
      // A claim without a group is in the core group, as kube-bind defaults it.
      assert.equal(matches({ groups: [""] }, { resource: "secrets", selector: {} }), true);
    });

    it("resources", () => {
      assert.equal(matches({ resources: ["configmaps", "secrets"] }, secretsLabelled), true);
      assert.equal(matches({ resources: ["configmaps"] }, secretsLabelled), false);
    });

    const bySelector = {
      Label: { labelSelector: { matchLabels: { app: "db" } } },
      MatchAll: { labelSelector: {} },
      Named: { namedResources: [{ name: "creds" }] },
      Reference: { references: [{ resource: "dbs", jsonPath: { name: "spec.secretName" } }] },
      Empty: {},
    };
    for (const shape of Object.keys(bySelector)) {
      it(`selectors: ${shape} matches only claims of that shape`, () => {
        for (const [other, otherSelector] of Object.entries(bySelector)) {
          assert.equal(
            matches({ selectors: [shape] }, claim({ selector: otherSelector })),
            other === shape,
            `rule ${shape} against claim ${other}`,
          );
        }
      });
    }

    it("selectors: a combined selector matches when any of its shapes is listed", () => {
      const combined = claim({
        selector: { labelSelector: { matchLabels: { a: "b" } }, namedResources: [{ name: "x" }] },
      });
      assert.equal(matches({ selectors: ["Named"] }, combined), true);
      assert.equal(matches({ selectors: ["Label"] }, combined), true);
      assert.equal(matches({ selectors: ["MatchAll", "Reference"] }, combined), false);
    });

    it("scopes", () => {
      const namespacedByName = claim({
        selector: { namedResources: [{ name: "creds", namespace: "orders" }] },
      });
      assert.equal(matches({ scopes: ["Cluster"] }, secretsLabelled), true);
      assert.equal(matches({ scopes: ["Namespaced"] }, secretsLabelled), false);
      assert.equal(matches({ scopes: ["Namespaced"] }, namespacedByName), true);
      assert.equal(matches({ scopes: ["Cluster"] }, namespacedByName), false);
      assert.equal(
        matches({ scopes: ["Namespaced"] }, secretsMatchAll, { namespaces: ["orders"] }),
        true,
      );
    });

    it("directions: a claim in both directions matches either", () => {
      const toConsumer = { directions: ["ProviderToConsumer"] };
      const toProvider = { directions: ["ConsumerToProvider"] };
      assert.equal(matches(toConsumer, claim({ direction: "ProviderToConsumer" })), true);
      assert.equal(matches(toConsumer, claim({ direction: "ConsumerToProvider" })), false);
      assert.equal(matches(toProvider, claim({ direction: "ConsumerToProvider" })), true);
      assert.equal(matches(toProvider, claim({ direction: "ProviderToConsumer" })), false);
      assert.equal(matches(toConsumer, claim({ direction: "Both" })), true);
      assert.equal(matches(toProvider, claim({ direction: "Both" })), true);
      // No direction is kube-bind's default, Both.
      assert.equal(matches(toProvider, secretsLabelled), true);
    });

    it("an allow rule needs every direction and every selector shape of the claim listed", () => {
      const allows = (match: Record<string, unknown>, c: unknown) => {
        const { policies } = loadPolicies([
          policyDoc("p", [{ name: "ok", effect: "allow", reason: "fine", match }]),
          policyDoc("q", [{ name: "rest", effect: "deny", reason: "no" }]),
        ]);
        const [decision] = evaluateClaims([bindingDoc({ claims: [c] })], policies);
        return decision?.effect === "allow";
      };
      const toConsumer = { directions: ["ProviderToConsumer"] };
      assert.equal(allows(toConsumer, claim({ direction: "ProviderToConsumer" })), true);
      // Both also sends the consumer's objects up: an allow for one direction does not cover it.
      assert.equal(allows(toConsumer, claim({ direction: "Both" })), false);
      const labels = { selectors: ["Label"] };
      assert.equal(allows(labels, secretsLabelled), true);
      const labelOrAll = claim({
        selector: { labelSelector: {}, namedResources: [{ name: "a", namespace: "b" }] },
      });
      assert.equal(allows({ selectors: ["Named"] }, labelOrAll), false);
      assert.equal(allows({ selectors: ["Named", "MatchAll"] }, labelOrAll), true);
    });

    it("providers, consumers and templates compare with the binding", () => {
      assert.equal(matches({ providers: ["provider"] }, secretsLabelled), true);
      assert.equal(matches({ providers: ["other"] }, secretsLabelled), false);
      assert.equal(matches({ consumers: ["consumer"] }, secretsLabelled), true);
      assert.equal(matches({ consumers: ["c2"] }, secretsLabelled, { consumer: "c1" }), false);
      assert.equal(matches({ templates: ["databases"] }, secretsLabelled), true);
      assert.equal(matches({ templates: ["caches"] }, secretsLabelled), false);
    });

    it("needs every given field to match", () => {
      const rule = { groups: [""], resources: ["secrets"], selectors: ["MatchAll"] };
      assert.equal(matches(rule, secretsMatchAll), true);
      assert.equal(matches(rule, secretsLabelled), false);
      assert.equal(matches({ ...rule, providers: ["elsewhere"] }, secretsMatchAll), false);
    });

    it("matches everything without conditions, and nothing with an empty list", () => {
      assert.equal(matches({}, secretsLabelled), true);
      assert.equal(matches({ resources: [] }, secretsLabelled), false);
    });
  });

  it("decides every claim of every binding, in file, document and claim order", () => {
    const { policies } = loadPolicies([
      policyDoc("p", [
        { name: "all", effect: "deny", reason: "r", match: { selectors: ["MatchAll"] } },
      ]),
    ]);
    const decisions = evaluateClaims(
      [
        bindingDoc({ name: "late", claims: [secretsLabelled] }, "z.yaml", 0),
        doc("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n", "a.yaml", 0),
        bindingDoc({ name: "second", claims: [secretsMatchAll, secretsLabelled] }, "a.yaml", 2),
        bindingDoc({ name: "first", claims: [] }, "a.yaml", 1),
      ],
      policies,
    );
    assert.deepEqual(
      decisions.map((d) => [d.binding.name, d.claimIndex, d.effect]),
      [
        ["second", 0, "deny"],
        ["second", 1, "allow"],
        ["late", 0, "allow"],
      ],
    );
  });

  it("keeps claim indexes aligned with the document when a claim has the wrong shape", () => {
    const decisions = evaluateClaims(
      [bindingDoc({ claims: ["not a claim", null, secretsMatchAll] })],
      loadPolicies([policyDoc("p", [{ name: "all", effect: "deny", match: { groups: [""] } }])])
        .policies,
    );
    assert.deepEqual(
      decisions.map((d) => [d.claimIndex, d.claim.resource, d.shapes]),
      [
        [0, "", ["Empty"]],
        [1, "", ["Empty"]],
        [2, "secrets", ["MatchAll"]],
      ],
    );
  });

  it("survives a binding whose spec has the wrong shape", () => {
    const broken = doc(
      "apiVersion: bindops.dev/v1alpha1\nkind: ServiceBinding\nmetadata: 5\nspec: {permissionClaims: {a: 1}, namespaces: 3}\n",
    );
    assert.deepEqual(evaluateClaims([broken], []), []);
  });
});
