import assert from "node:assert/strict";
import { createSchemaRegistry } from "../../../src/schema/schema-registry.js";
import { validateDocument } from "../../../src/schema/validate-document.js";
import { check, doc, pointers, registry, remove, variant } from "./fixtures.js";

const secret = {
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "colt-45-permit", namespace: "wild-west", labels: { app: "cowboy" } },
  type: "Opaque",
  data: { serial_number: "QzQ1LTEyMzQ1Ng==" },
  stringData: { issued_by: "Tombstone Marshal" },
};

const deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "konnector", namespace: "kube-bind" },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "konnector" } },
    strategy: { rollingUpdate: { maxSurge: "25%", maxUnavailable: 1 } },
    template: {
      metadata: { labels: { app: "konnector" } },
      spec: { containers: [{ name: "konnector", image: "ghcr.io/kube-bind/konnector:v0.8.0" }] },
    },
  },
};

describe("Kubernetes's built-in kinds (kubernetes-models schemas)", () => {
  it("a valid Secret passes", () => {
    assert.deepEqual(check(secret), []);
  });

  it("a ConfigMap with a number as data fails at that entry", () => {
    const configMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c" },
      data: { a: 1 },
    };
    assert.deepEqual(check(configMap), [
      ["schema", "/data/a", "data.a: must be a string (got integer)"],
    ]);
  });

  it("Secret data must be base64", () => {
    const bad = variant(secret, { "/data/serial_number": "C45-123456" });
    const [finding] = check(bad);
    assert.equal(finding?.[1], "/data/serial_number");
    assert.match(finding?.[2] ?? "", /must be base64-encoded data/);
  });

  it("unknown top-level fields of common kinds are errors", () => {
    const bad = variant(secret, { "/stringdata": secret.stringData, "/stringData": remove });
    assert.deepEqual(check(bad), [["schema", "/stringdata", 'unknown field "stringdata"']]);
  });

  it("unknown fields are errors at any depth, in every built-in kind", () => {
    const daemonSet = {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "agent" },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "agent" } },
        template: {
          metadata: { labels: { app: "agent" }, annotation: { a: "b" } },
          spec: {
            containers: [
              {
                name: "agent",
                image: "agent:1",
                imagePullPolicy: "Always",
                resources: { limits: { cpu: "1" }, limitz: { cpu: "2" } },
                env: [{ name: "A", valueFrom: { secretKeyRef: { name: "s", key: "k", ke: "x" } } }],
              },
            ],
            volumes: [{ name: "v", configMap: { name: "c", items: [{ key: "a", path: "a" }] } }],
          },
        },
      },
    };
    assert.deepEqual(check(daemonSet), [
      ["schema", "/spec/replicas", 'unknown field "spec.replicas"'],
      [
        "schema",
        "/spec/template/metadata/annotation",
        'unknown field "spec.template.metadata.annotation"',
      ],
      [
        "schema",
        "/spec/template/spec/containers/0/resources/limitz",
        'unknown field "spec.template.spec.containers[0].resources.limitz"',
      ],
      [
        "schema",
        "/spec/template/spec/containers/0/env/0/valueFrom/secretKeyRef/ke",
        'unknown field "spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.ke"',
      ],
    ]);
    // Maps keep their keys, free-form fields (a CRD's default values) stay free.
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "widgets.example.com" },
      spec: {
        group: "example.com",
        names: { kind: "Widget", plural: "widgets" },
        scope: "Namespaced",
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: "object",
                properties: {
                  size: { type: "object", default: { any: { thing: 1 } }, descripton: "x" },
                },
              },
            },
          },
        ],
      },
    };
    assert.deepEqual(check(crd), [
      [
        "schema",
        "/spec/versions/0/schema/openAPIV3Schema/properties/size/descripton",
        'unknown field "spec.versions[0].schema.openAPIV3Schema.properties.size.descripton"',
      ],
    ]);
  });

  it("a Deployment passes, and an int-or-string of the wrong type is one finding", () => {
    assert.deepEqual(check(deployment), []);
    const bad = variant(deployment, { "/spec/strategy/rollingUpdate/maxSurge": true });
    assert.deepEqual(check(bad), [
      [
        "schema",
        "/spec/strategy/rollingUpdate/maxSurge",
        "spec.strategy.rollingUpdate.maxSurge: must be a string or an integer (got boolean)",
      ],
    ]);
  });

  it("metadata.name follows the kind's rule", () => {
    const named = (apiVersion: string, kind: string, name: string) =>
      pointers({ apiVersion, kind, metadata: { name } });
    assert.deepEqual(named("v1", "Service", "1-service"), ["/metadata/name"]);
    assert.deepEqual(named("v1", "Namespace", "team.a"), ["/metadata/name"]);
    assert.deepEqual(named("v1", "ConfigMap", "team.a"), []);
    assert.deepEqual(
      named("rbac.authorization.k8s.io/v1", "ClusterRole", "system:aggregate-to-edit"),
      [],
    );
    assert.deepEqual(named("rbac.authorization.k8s.io/v1", "ClusterRole", "a/b"), [
      "/metadata/name",
    ]);
  });

  it("metadata is required and its labels are checked", () => {
    assert.deepEqual(check({ apiVersion: "v1", kind: "ServiceAccount" }), [
      ["schema", "", 'missing required field "metadata"'],
    ]);
    const bad = variant(secret, { "/metadata/labels": { "-bad": "x", ok: 2 } });
    assert.deepEqual(pointers(bad).sort(), ["/metadata/labels/-bad", "/metadata/labels/ok"]);
  });

  it("a CustomResourceDefinition is checked against the apiextensions.k8s.io/v1 schema", () => {
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "widgets.example.com" },
      spec: {
        group: "example.com",
        names: { kind: "Widget", plural: "widgets" },
        scope: "Namespaced",
      },
    };
    assert.deepEqual(check(crd), [["schema", "/spec", 'missing required field "spec.versions"']]);
  });
});

describe("documents no schema knows", () => {
  const widget = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } };

  it("an unknown kind is an error by default, a warning or nothing on request", () => {
    assert.deepEqual(check(widget), [
      [
        "unknown-kind",
        "/kind",
        "unknown kind Widget (example.com/v1): not a Kubernetes, kube-bind or bindops kind, and no CustomResourceDefinition given defines it",
      ],
    ]);
    const asWarning = validateDocument(doc(widget), registry, { unknownKinds: "warning" });
    assert.equal(asWarning[0]?.severity, "warning");
    assert.deepEqual(validateDocument(doc(widget), registry, { unknownKinds: "ignore" }), []);
  });

  it("a kind bindops does not know in its own or kube-bind's group names the known ones", () => {
    const [typo] = check({ apiVersion: "bindops.dev/v1alpha1", kind: "ServiceBindings" });
    assert.equal(typo?.[0], "unknown-kind");
    assert.match(
      typo?.[2] ?? "",
      /^unknown kind ServiceBindings in bindops.dev \(did you mean ServiceBinding\?\); known kinds: BindingStatus, ClaimPolicy, Repository, ServiceBinding$/,
    );
    const [other] = check({
      apiVersion: "kube-bind.io/v1alpha2",
      kind: "APIConversion",
    });
    assert.match(
      other?.[2] ?? "",
      /^unknown kind APIConversion in kube-bind.io; known kinds: APIServiceBinding, /,
    );
  });

  it("a document without apiVersion or kind", () => {
    assert.deepEqual(check({ metadata: { name: "x" } }), [
      ["schema", "", 'missing required field "apiVersion"'],
      ["schema", "", 'missing required field "kind"'],
    ]);
    assert.deepEqual(check({ apiVersion: 1, kind: "Secret" }), [
      ["schema", "/apiVersion", "apiVersion: must be a non-empty string"],
    ]);
  });

  it("findings carry the document's file and index", () => {
    const [finding] = validateDocument(doc(widget, "apps/widget.yaml", 3), registry);
    assert.deepEqual(finding?.location, {
      file: "apps/widget.yaml",
      document: 3,
      pointer: "/kind",
    });
  });
});

describe("the schema registry", () => {
  it("compiles a shipped kind once per process, whatever the number of registries", () => {
    const fresh = createSchemaRegistry();
    const first = fresh.validatorFor("bindops.dev/v1alpha1", "ServiceBinding");
    assert.equal(typeof first, "function");
    assert.equal(fresh.validatorFor("bindops.dev/v1alpha1", "ServiceBinding"), first);
    assert.equal(
      createSchemaRegistry().validatorFor("bindops.dev/v1alpha1", "ServiceBinding"),
      first,
    );
    assert.equal(
      fresh.validatorFor("v1", "Secret"),
      createSchemaRegistry().validatorFor("v1", "Secret"),
    );
  });

  it("knows nothing of kinds without a schema", () => {
    const fresh = createSchemaRegistry();
    assert.equal(fresh.validatorFor("example.com/v1", "Widget"), undefined);
    assert.equal(fresh.validatorFor("v1", "NoSuchKind"), undefined);
    assert.equal(fresh.validatorFor("v1", "../../x"), undefined);
  });

  it("the validator is ajv's: false with errors for a bad document", () => {
    const validate = createSchemaRegistry().validatorFor("kube-bind.io/v1alpha2", "Collection")!;
    assert.equal(validate({ apiVersion: "kube-bind.io/v1alpha2", kind: "Collection" }), false);
    assert.ok((validate.errors?.length ?? 0) > 0);
    const collection = {
      apiVersion: "kube-bind.io/v1alpha2",
      kind: "Collection",
      metadata: { name: "all" },
      spec: { templates: [{ name: "cowboys" }] },
    };
    assert.equal(validate(collection), true);
  });
});
