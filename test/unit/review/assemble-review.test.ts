import assert from "node:assert/strict";
import type { Review, ReviewChange } from "../../../src/review/review.js";
import {
  billingBinding,
  edit,
  exampleFiles,
  ordersBinding,
  replace,
  reviewOf,
  template,
} from "./fixtures.js";

const ordersLabels = `          matchLabels:
            app: orders
            dbaas.example.com/credentials: "true"
`;

const only = (review: Review, kind: ReviewChange["kind"]): ReviewChange => {
  const found = review.changes.filter((c) => c.kind === kind);
  assert.equal(found.length, 1, `one ${kind} in ${JSON.stringify(review.changes, null, 1)}`);
  return found[0]!;
};

const kinds = (review: Review) =>
  review.changes.map((c) => `${c.subject.name}:${c.kind}:${c.grade}`);

describe("review: claim diff and grading", function () {
  this.timeout(30_000);

  it("reports no claim change for a comment-only change", async () => {
    const head = edit(exampleFiles, ordersBinding, replace("# The orders team's", "# The team's"));
    const review = await reviewOf(exampleFiles, head);
    assert.deepEqual(review.changes, []);
    assert.equal(review.verdict, "pass");
    assert.equal(review.counts.changes, 0);
  });

  it("grades widening a Secrets claim to every Secret high, denied by the shipped defaults", async () => {
    const head = edit(exampleFiles, ordersBinding, replace(ordersLabels, "          {}\n"));
    const review = await reviewOf(exampleFiles, head);
    const change = only(review, "claim-widened");
    assert.equal(change.grade, "high");
    assert.equal(change.title, "Secrets claim widened");
    assert.deepEqual(change.details, [
      "labelSelector: app=orders, dbaas.example.com/credentials=true → {} (every Secret in scope)",
    ]);
    assert.ok(change.reasons.some((r) => r.startsWith("Secrets")));
    assert.ok(change.reasons.some((r) => r.startsWith("no selector")));
    assert.equal(change.policy?.effect, "deny");
    assert.equal(change.policy?.rule, "deny-match-all-secrets");
    assert.equal(change.location?.file, ordersBinding);
    assert.equal(change.location?.line, 16);
    assert.equal(review.verdict, "fail");
    assert.equal(review.counts.denied, 1);
  });

  it("sees a loosened label selector as a widening, graded medium for namespaced Secrets", async () => {
    const head = edit(exampleFiles, ordersBinding, replace("            app: orders\n", ""));
    const change = only(await reviewOf(exampleFiles, head), "claim-widened");
    assert.equal(change.grade, "medium");
    assert.deepEqual(change.details, [
      "labelSelector: app=orders, dbaas.example.com/credentials=true → dbaas.example.com/credentials=true",
    ]);
  });

  it("sees relaxed matchExpressions as wider and tightened ones as narrower", async () => {
    const expressions = (values: string) =>
      edit(
        exampleFiles,
        ordersBinding,
        replace(
          '            dbaas.example.com/credentials: "true"\n',
          `            dbaas.example.com/credentials: "true"\n          matchExpressions:\n            - { key: tier, operator: In, values: [${values}] }\n`,
        ),
      );
    const one = expressions("gold");
    const two = expressions("gold, silver");
    const wider = only(await reviewOf(one, two), "claim-widened");
    assert.match(wider.details[0]!, /tier=gold → .*tier in \(gold,silver\)/);
    const narrower = only(await reviewOf(two, one), "claim-narrowed");
    assert.equal(narrower.grade, "info");
    assert.equal(narrower.policy, undefined);
  });

  it("sees a named resource added as a widening", async () => {
    const head = edit(
      exampleFiles,
      ordersBinding,
      replace(
        "        references:\n",
        "        namedResources:\n          - { name: legacy-db, namespace: orders }\n        references:\n",
      ),
    );
    const change = only(await reviewOf(exampleFiles, head), "claim-widened");
    assert.deepEqual(change.details, ["names orders/legacy-db"]);
  });

  it("sees a reference added, and a reference's namespace path dropped, as widenings", async () => {
    const added = edit(
      exampleFiles,
      ordersBinding,
      replace(
        "        references:\n",
        `        references:
          - group: dbaas.example.com
            resource: postgresbackups
            jsonPath: { name: spec.secretName, namespace: metadata.namespace }
`,
      ),
    );
    const change = only(await reviewOf(exampleFiles, added), "claim-widened");
    assert.match(
      change.details[0]!,
      /^reference added: postgresbackups\.dbaas\.example\.com spec\.secretName/,
    );

    const dropped = edit(
      exampleFiles,
      ordersBinding,
      replace(
        "              name: spec.connectionSecretName\n              namespace: metadata.namespace\n",
        "              name: spec.connectionSecretName\n",
      ),
    );
    const widened = only(await reviewOf(exampleFiles, dropped), "claim-widened");
    assert.match(widened.details[0]!, /spec\.connectionSecretName.*no longer checks the namespace/);
  });

  it("compares a reference with and without a namespace path as its binding's isolation says", async () => {
    const namespaced = edit(
      exampleFiles,
      ordersBinding,
      replace("isolation: Prefixed", "isolation: Namespaced"),
    );
    const dropped = edit(
      namespaced,
      ordersBinding,
      replace(
        "              name: spec.connectionSecretName\n              namespace: metadata.namespace\n",
        "              name: spec.connectionSecretName\n",
      ),
    );
    // With Namespaced, a reference without a path stays in the referencing object's namespace:
    // neither is within the other.
    assert.equal(only(await reviewOf(namespaced, dropped), "claim-changed").grade, "medium");
  });

  it("sees the owner direction changed: Both from one direction is wider, the reverse narrower", async () => {
    const oneWay = edit(
      exampleFiles,
      ordersBinding,
      replace("direction: Both", "direction: ProviderToConsumer"),
    );
    const widened = only(await reviewOf(oneWay, exampleFiles), "claim-widened");
    assert.deepEqual(widened.details, [
      "direction ProviderToConsumer → Both: now the consumer's Secrets are copied to the provider",
    ]);
    const narrowed = only(await reviewOf(exampleFiles, oneWay), "claim-narrowed");
    assert.equal(narrowed.grade, "info");
    const other = edit(oneWay, ordersBinding, replace("ProviderToConsumer", "ConsumerToProvider"));
    assert.equal(only(await reviewOf(oneWay, other), "claim-changed").grade, "medium");
  });

  it("sees namespaces dropped as every claim going cluster-wide, which needs approval for Secrets", async () => {
    const head = edit(
      exampleFiles,
      ordersBinding,
      replace("  namespaces:\n    - name: orders\n", ""),
    );
    const review = await reviewOf(exampleFiles, head);
    const widened = only(review, "claim-widened");
    assert.equal(widened.grade, "high");
    assert.deepEqual(widened.details, [
      "cluster-wide: the binding no longer lists namespaces (was orders)",
    ]);
    assert.equal(widened.policy?.effect, "require-approval");
    assert.equal(widened.policy?.rule, "approve-cluster-wide-secrets");
    assert.equal(only(review, "namespaces-changed").grade, "low");
    assert.equal(review.verdict, "needs-approval");
    assert.equal(review.counts.needApproval, 1);
  });

  it("grades an added claim and lists a removed one as info", async () => {
    const withConfigMaps = edit(
      exampleFiles,
      ordersBinding,
      (text) =>
        text +
        `    - group: ""
      resource: configmaps
      selector:
        labelSelector:
          matchLabels:
            dbaas.example.com/init-script: "true"
      direction: ConsumerToProvider
`,
    );
    const review = await reviewOf(exampleFiles, withConfigMaps);
    const added = only(review, "claim-added");
    assert.equal(added.title, "ConfigMaps claim added");
    assert.equal(added.grade, "low");
    // examples/policies/acme.yaml asks for approval of init-script ConfigMaps.
    assert.equal(added.policy?.effect, "require-approval");
    assert.equal(added.policy?.policy, "acme");
    const removed = only(await reviewOf(withConfigMaps, exampleFiles), "claim-removed");
    assert.equal(removed.grade, "info");
  });

  it("reports a binding moved to another consumer, each claim granted anew", async () => {
    const files = {
      ...exampleFiles,
      "bindops.yaml": exampleFiles["bindops.yaml"]!.replace(
        "    consumer:\n      role: consumer\n",
        "    consumer:\n      role: consumer\n    consumer-b:\n      role: consumer\n",
      ),
    };
    const head = edit(files, ordersBinding, replace("consumer: consumer", "consumer: consumer-b"));
    const review = await reviewOf(files, head);
    assert.deepEqual(kinds(review), ["orders-db:moved:info", "orders-db:claim-added:medium"]);
    assert.equal(review.changes[0]!.subject.scope, "consumer-b");
  });

  it("reports a binding of another template as granting its claims anew", async () => {
    const files = {
      ...exampleFiles,
      "providers/dbaas/templates/databases-2.yaml": exampleFiles[template]!.replace(
        "name: databases",
        "name: databases-2",
      ),
    };
    const head = edit(
      files,
      ordersBinding,
      replace("template: databases", "template: databases-2"),
    );
    assert.deepEqual(kinds(await reviewOf(files, head)), [
      "orders-db:retargeted:info",
      "orders-db:claim-added:medium",
    ]);
  });

  it("grades isolation None medium when the claims use references", async () => {
    const head = edit(
      exampleFiles,
      ordersBinding,
      replace("isolation: Prefixed", "isolation: None"),
    );
    const change = only(await reviewOf(exampleFiles, head), "isolation-changed");
    assert.equal(change.grade, "medium");
    assert.equal(change.title, "isolation Prefixed → None");
  });

  it("reports bindings added and removed", async () => {
    const { [billingBinding]: _, ...withoutBilling } = exampleFiles;
    const added = await reviewOf(withoutBilling, exampleFiles);
    assert.deepEqual(kinds(added), [
      "billing-db:added:info",
      "billing-db:claim-added:low",
      "billing-db:claim-added:medium",
    ]);
    const removed = await reviewOf(exampleFiles, withoutBilling);
    assert.deepEqual(kinds(removed), ["billing-db:removed:info"]);
    assert.deepEqual(removed.changes[0]!.details, [
      "Secrets: reference: postgresclusters.dbaas.example.com (v1alpha1) spec.credentialsSecretRef.name, namespace from metadata.namespace; reference: postgresclusters.dbaas.example.com (v1alpha1) spec.connectionSecretName, namespace from metadata.namespace",
      "ConfigMaps: labelSelector: app=billing, dbaas.example.com/init-script=true",
    ]);
    assert.equal(removed.changes[0]!.location?.side, "base");
  });

  it("reports a template's exported resources and claims, its claims graded as kubectl bind takes them", async () => {
    const head = edit(exampleFiles, template, (text) =>
      replace(
        "    - group: dbaas.example.com\n      resource: postgresbackups\n      versions:\n        - v1alpha1\n",
        "    - group: dbaas.example.com\n      resource: postgresrestores\n      versions:\n        - v1alpha1\n",
      )(text).replace(
        `          matchLabels:
            dbaas.example.com/init-script: "true"`,
        "          {}",
      ),
    );
    const review = await reviewOf(exampleFiles, head);
    const templateChanges = review.changes.filter(
      (c) => c.subject.kind === "APIServiceExportTemplate",
    );
    assert.deepEqual(
      templateChanges.map((c) => `${c.kind}:${c.grade}:${c.title}`),
      [
        "resource-added:low:exports postgresrestores.dbaas.example.com (v1alpha1)",
        "resource-removed:info:no longer exports postgresbackups.dbaas.example.com (v1alpha1)",
        "claim-widened:medium:ConfigMaps claim widened",
      ],
    );
    assert.equal(templateChanges[0]!.subject.scope, "dbaas");
    // A template's claims are offers; the policies decide what bindings accept.
    assert.equal(templateChanges[2]!.policy, undefined);
  });

  it("sees an equivalent selector written differently as a rewrite", async () => {
    const head = edit(
      exampleFiles,
      ordersBinding,
      replace(
        '            dbaas.example.com/credentials: "true"\n',
        '            dbaas.example.com/credentials: "true"\n          matchExpressions:\n            - { key: app, operator: In, values: [orders] }\n',
      ),
    );
    const change = only(await reviewOf(exampleFiles, head), "claim-rewritten");
    assert.equal(change.grade, "info");
  });

  it("judges a claim by the stricter of the base's and the head's policies", async () => {
    const allowAll = `apiVersion: bindops.dev/v1alpha1
kind: ClaimPolicy
metadata:
  name: aaa-allow
spec:
  rules:
    - name: allow-everything
      effect: allow
      reason: we trust them
      match: {}
`;
    const head = edit(
      { ...exampleFiles, "policies/aaa-allow.yaml": allowAll },
      ordersBinding,
      replace(ordersLabels, "          {}\n"),
    );
    const review = await reviewOf(exampleFiles, head);
    const claim = only(review, "claim-widened");
    assert.equal(claim.policy?.effect, "deny");
    assert.equal(claim.policy?.decidedBy, "base");
    const rule = only(review, "rule-added");
    assert.equal(rule.grade, "high");
    assert.equal(rule.subject.name, "aaa-allow");
    assert.equal(review.verdict, "fail");
  });

  it("grades policy rules that loosen high and those that tighten low", async () => {
    const policy = "policies/acme.yaml";
    const loosened = edit(exampleFiles, policy, replace("effect: deny", "effect: allow"));
    assert.deepEqual(kinds(await reviewOf(exampleFiles, loosened)), ["acme:rule-changed:high"]);
    const tightened = edit(
      exampleFiles,
      policy,
      replace("effect: require-approval", "effect: deny"),
    );
    assert.deepEqual(kinds(await reviewOf(exampleFiles, tightened)), ["acme:rule-changed:low"]);
    const removed = edit(exampleFiles, policy, (text) =>
      text.slice(0, text.indexOf("    - name: dbaas-init-scripts")),
    );
    assert.deepEqual(kinds(await reviewOf(exampleFiles, removed)), ["acme:rule-removed:high"]);
  });

  it("lists the head's validation errors and fails on them", async () => {
    const head = edit(
      exampleFiles,
      ordersBinding,
      replace("template: databases", "template: nowhere"),
    );
    const review = await reviewOf(exampleFiles, head);
    assert.equal(review.verdict, "fail");
    assert.ok(review.validation.head.errors > 0);
    assert.ok(
      review.validation.findings.some((f) => f.rule === "binding-unknown-template" && f.new),
    );
  });

  it("orders changes stably: bindings, then templates, then policies, each by name", async () => {
    const head = edit(
      edit(
        edit(
          exampleFiles,
          template,
          replace("resource: postgresbackups", "resource: postgresrestores"),
        ),
        "policies/acme.yaml",
        replace("effect: deny", "effect: allow"),
      ),
      ordersBinding,
      replace("direction: Both", "direction: ProviderToConsumer"),
    );
    const once = await reviewOf(exampleFiles, head);
    const twice = await reviewOf(exampleFiles, head);
    assert.deepEqual(once, twice);
    assert.deepEqual(
      once.changes.map((c) => c.subject.kind),
      ["ServiceBinding", "APIServiceExportTemplate", "APIServiceExportTemplate", "ClaimPolicy"],
    );
  });
});
