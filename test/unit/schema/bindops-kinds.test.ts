import assert from "node:assert/strict";
import { check, pointers, remove, variant } from "./fixtures.js";

const repository = {
  apiVersion: "bindops.dev/v1alpha1",
  kind: "Repository",
  metadata: { name: "acme-platform" },
  spec: {
    clusters: {
      provider: { role: "provider", kubeconfig: "~/.kube/provider.yaml" },
      consumer: { role: "consumer", context: "kind-consumer" },
    },
    paths: {
      providers: "providers",
      consumers: "consumers",
      policies: "policies",
      status: "status",
    },
    status: { branch: "main", author: "bindops <bindops@example.invalid>" },
  },
};

const binding = {
  apiVersion: "bindops.dev/v1alpha1",
  kind: "ServiceBinding",
  metadata: { name: "orders-db", labels: { "app.kubernetes.io/part-of": "orders" } },
  spec: {
    consumer: "consumer",
    provider: "provider",
    template: "databases",
    isolation: "Prefixed",
    namespaces: [{ name: "orders" }],
    permissionClaims: [
      {
        group: "",
        resource: "secrets",
        selector: {
          labelSelector: {
            matchLabels: { app: "orders-db" },
            matchExpressions: [{ key: "tier", operator: "In", values: ["db"] }],
          },
          namedResources: [{ name: "orders-credentials", namespace: "orders" }],
          references: [
            {
              group: "wildwest.dev",
              resource: "cowboys",
              versions: ["v1alpha1"],
              jsonPath: { name: "spec.secretRefs.#.name" },
            },
          ],
        },
        direction: "ProviderToConsumer",
      },
    ],
    suspend: false,
  },
};

const policy = {
  apiVersion: "bindops.dev/v1alpha1",
  kind: "ClaimPolicy",
  metadata: { name: "defaults" },
  spec: {
    rules: [
      {
        name: "deny-all-secrets",
        effect: "deny",
        reason: "Secrets need a selector narrower than everything.",
        match: {
          groups: [""],
          resources: ["secrets"],
          selectors: ["MatchAll", "Empty"],
          scopes: ["Cluster"],
          directions: ["ConsumerToProvider"],
          providers: ["provider"],
          consumers: ["consumer"],
          templates: ["databases"],
        },
      },
      { name: "review-the-rest", effect: "require-approval", reason: "A person looks at it." },
    ],
  },
};

const status = {
  apiVersion: "bindops.dev/v1alpha1",
  kind: "BindingStatus",
  metadata: { name: "orders-db" },
  spec: { consumer: "consumer", binding: "orders-db" },
  status: {
    observedRevision: "3f2c1e0",
    phase: "Synced",
    conditions: [
      {
        type: "Ready",
        status: "True",
        reason: "Synced",
        message: "",
        lastTransitionTime: "2024-05-01T12:00:00Z",
      },
      { type: "Stalled", status: "False" },
    ],
    exports: ["orders-db"],
    syncedObjects: { "mangodbs.mangodb.com": 3, secrets: 0 },
  },
};

describe("bindops's own kinds", () => {
  describe("Repository", () => {
    it("accepts a complete bindops.yaml", () => {
      assert.deepEqual(check(repository), []);
    });

    it("refuses a cluster entry that carries a credential", () => {
      const bad = variant(repository, { "/spec/clusters/provider/token": "abc" });
      assert.deepEqual(check(bad), [
        ["schema", "/spec/clusters/provider/token", 'unknown field "spec.clusters.provider.token"'],
      ]);
    });

    it("refuses a role other than provider or consumer", () => {
      const bad = variant(repository, { "/spec/clusters/consumer/role": "both" });
      const [finding] = check(bad);
      assert.equal(finding?.[1], "/spec/clusters/consumer/role");
      assert.match(
        finding?.[2] ?? "",
        /^spec\.clusters\.consumer\.role: must be one of provider, consumer/,
      );
    });

    it("refuses a cluster name that is not a DNS label, pointing at that entry", () => {
      const bad = variant(repository, { "/spec/clusters/Prod_1": { role: "provider" } });
      const [finding] = check(bad);
      assert.equal(finding?.[1], "/spec/clusters/Prod_1");
      assert.match(finding?.[2] ?? "", /invalid key "Prod_1": must be a DNS-1123 label/);
    });

    it("requires clusters", () => {
      const bad = variant(repository, { "/spec/clusters": remove });
      assert.deepEqual(check(bad), [["schema", "/spec", 'missing required field "spec.clusters"']]);
    });

    it("wants the status author as Name <email>", () => {
      const bad = variant(repository, { "/spec/status/author": "bindops" });
      assert.deepEqual(pointers(bad), ["/spec/status/author"]);
    });

    it("reports an apiVersion bindops does not have as an unknown version", () => {
      const bad = variant(repository, { "/apiVersion": "bindops.dev/v1" });
      assert.deepEqual(check(bad), [
        [
          "unknown-version",
          "/apiVersion",
          "Repository has no version v1 (known versions: v1alpha1)",
        ],
      ]);
    });
  });

  describe("ServiceBinding", () => {
    it("accepts a binding with every field", () => {
      assert.deepEqual(check(binding), []);
    });

    it("requires consumer, provider and template", () => {
      const bad = variant(binding, { "/spec/template": remove });
      assert.deepEqual(check(bad), [["schema", "/spec", 'missing required field "spec.template"']]);
    });

    it("refuses an isolation kube-bind does not have", () => {
      const bad = variant(binding, { "/spec/isolation": "Isolated" });
      const [finding] = check(bad);
      assert.equal(finding?.[1], "/spec/isolation");
      assert.match(
        finding?.[2] ?? "",
        /must be one of Prefixed, Namespaced, None \(got "Isolated"\)/,
      );
    });

    it("points at an unknown field in a namespace entry", () => {
      const bad = variant(binding, { "/spec/namespaces/0/description": "orders" });
      assert.deepEqual(check(bad), [
        [
          "schema",
          "/spec/namespaces/0/description",
          'unknown field "spec.namespaces[0].description"',
        ],
      ]);
    });

    it("requires a selector on each claim and checks its direction", () => {
      const bad = variant(binding, {
        "/spec/permissionClaims/0/selector": remove,
        "/spec/permissionClaims/0/direction": "Up",
      });
      assert.deepEqual(pointers(bad).sort(), [
        "/spec/permissionClaims/0",
        "/spec/permissionClaims/0/direction",
      ]);
    });

    it("knows the label selector operators and their values rule", () => {
      const bad = variant(binding, {
        "/spec/permissionClaims/0/selector/labelSelector/matchExpressions": [
          { key: "a", operator: "Exists", values: ["x"] },
          { key: "b", operator: "NotIn" },
          { key: "c", operator: "Equals", values: ["x"] },
        ],
      });
      const base = "/spec/permissionClaims/0/selector/labelSelector/matchExpressions";
      assert.deepEqual(pointers(bad), [`${base}/0/values`, `${base}/1`, `${base}/2/operator`]);
    });

    it("refuses a metadata.name that is not a DNS subdomain", () => {
      const bad = variant(binding, { "/metadata/name": "Orders_DB" });
      const [finding] = check(bad);
      assert.equal(finding?.[1], "/metadata/name");
      assert.match(finding?.[2] ?? "", /must be a DNS-1123 subdomain .*\(got "Orders_DB"\)/);
    });

    it("reports every error of a document at once", () => {
      const bad = variant(binding, {
        "/spec/suspend": "no",
        "/spec/consumer": 7,
        "/metadata/uid": "123",
      });
      assert.deepEqual(pointers(bad).sort(), ["/metadata/uid", "/spec/consumer", "/spec/suspend"]);
    });
  });

  describe("ClaimPolicy", () => {
    it("accepts rules with every match field", () => {
      assert.deepEqual(check(policy), []);
    });

    it("needs at least one rule", () => {
      const bad = variant(policy, { "/spec/rules": [] });
      assert.deepEqual(check(bad), [["schema", "/spec/rules", "spec.rules: must not be empty"]]);
    });

    it("refuses an unknown effect and a blank reason", () => {
      const bad = variant(policy, {
        "/spec/rules/0/effect": "warn",
        "/spec/rules/1/reason": "   ",
      });
      assert.deepEqual(pointers(bad), ["/spec/rules/0/effect", "/spec/rules/1/reason"]);
    });

    it("requires a reason", () => {
      const bad = variant(policy, { "/spec/rules/1/reason": remove });
      assert.deepEqual(check(bad), [
        ["schema", "/spec/rules/1", 'missing required field "spec.rules[1].reason"'],
      ]);
    });

    it("refuses a match field it does not know", () => {
      const bad = variant(policy, { "/spec/rules/0/match/verbs": ["get"] });
      assert.deepEqual(pointers(bad), ["/spec/rules/0/match/verbs"]);
    });

    it("refuses two rules with the same name, pointing at the second", () => {
      const bad = variant(policy, { "/spec/rules/1/name": "deny-all-secrets" });
      const [finding] = check(bad);
      assert.equal(finding?.[1], "/spec/rules/1");
      assert.match(finding?.[2] ?? "", /items 0 and 1 have the same name="deny-all-secrets"/);
    });
  });

  describe("BindingStatus", () => {
    it("accepts a status the reconciler writes", () => {
      assert.deepEqual(check(status), []);
    });

    it("refuses an unknown phase, condition status and a negative count", () => {
      const bad = variant(status, {
        "/status/phase": "Done",
        "/status/conditions/1/status": "false",
        "/status/syncedObjects/secrets": -1,
      });
      assert.deepEqual(pointers(bad), [
        "/status/phase",
        "/status/conditions/1/status",
        "/status/syncedObjects/secrets",
      ]);
    });

    it("checks lastTransitionTime is a date-time", () => {
      const bad = variant(status, { "/status/conditions/0/lastTransitionTime": "yesterday" });
      const [finding] = check(bad);
      assert.equal(finding?.[1], "/status/conditions/0/lastTransitionTime");
      assert.match(finding?.[2] ?? "", /must be a date-time/);
    });

    it("requires the binding it reports on", () => {
      const bad = variant(status, { "/spec/binding": remove });
      assert.deepEqual(check(bad), [["schema", "/spec", 'missing required field "spec.binding"']]);
    });

    it("only BindingStatus has a status", () => {
      const bad = variant(binding, { "/status": { phase: "Synced" } });
      assert.deepEqual(check(bad), [["schema", "/status", 'unknown field "status"']]);
    });
  });
});
