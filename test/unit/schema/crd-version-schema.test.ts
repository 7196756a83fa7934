import { crdFactsOf } from "../../../src/core/crd-facts.js";
import assert from "node:assert/strict";
import path from "node:path";
import { parse } from "yaml";
import { crdVersionSchema } from "../../../src/schema/crd-version-schema.js";
import { createSchemaRegistry } from "../../../src/schema/schema-registry.js";
import { validateDocuments } from "../../../src/schema/validate-documents.js";
import {
  check,
  doc,
  kubeBindReference,
  pointers,
  referenceDocuments,
  remove,
  skipMessage,
  variant,
} from "./fixtures.js";

const widgetCrd = parse(`
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-validations:
        - rule: "self.metadata.name.size() < 30"
        properties:
          spec:
            type: object
            x-kubernetes-validations:
            - rule: "!has(self.note) || self.note != 'x'"
            - rule: "self.size <= 10"
            properties:
              port:
                x-kubernetes-int-or-string: true
                anyOf: [{type: integer}, {type: string}]
              config:
                type: object
                x-kubernetes-preserve-unknown-fields: true
                properties:
                  mode: {type: string, enum: [fast, safe]}
              template:
                type: object
                x-kubernetes-embedded-resource: true
                x-kubernetes-preserve-unknown-fields: true
              strictTemplate:
                type: object
                x-kubernetes-embedded-resource: true
                properties:
                  spec:
                    type: object
                    properties:
                      replicas: {type: integer}
              note: {type: string, nullable: true}
              tags:
                type: array
                items: {type: string}
                x-kubernetes-list-type: set
              ports:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [name, protocol]
                items:
                  type: object
                  required: [name, protocol]
                  properties:
                    name: {type: string}
                    protocol: {type: string}
              created: {type: string, format: date-time}
              blob: {type: string, format: byte}
              color: {type: string, format: hexcolor}
              size: {type: integer, format: int32, minimum: 0, exclusiveMinimum: true, maximum: 10}
              labels:
                type: object
                additionalProperties: {type: string}
              empty: {type: object}
          status:
            type: object
            properties:
              ready: {type: boolean}
  - name: v2
    served: false
    storage: false
    schema:
      openAPIV3Schema: {type: object}
`) as Record<string, unknown>;

const widget = {
  apiVersion: "example.com/v1",
  kind: "Widget",
  metadata: { name: "w1", namespace: "default", labels: { app: "w" } },
  spec: {
    port: "http",
    config: { mode: "fast", anything: { goes: [1, 2] } },
    template: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: { a: "b" } },
    strictTemplate: { apiVersion: "apps/v1", kind: "Deployment", spec: { replicas: 2 } },
    note: null,
    tags: ["a", "b"],
    ports: [
      { name: "http", protocol: "TCP" },
      { name: "http", protocol: "UDP" },
    ],
    created: "2024-05-01T12:00:00",
    blob: "aGVsbG8=",
    color: "not-a-colour",
    size: 3,
    labels: { a: "b" },
    empty: {},
  },
  status: { ready: true },
};

function withWidgetCrd() {
  const registry = createSchemaRegistry();
  assert.deepEqual(registry.addCrd(crdFactsOf(doc(widgetCrd, "crds/widgets.yaml"))), []);
  return registry;
}

describe("crdVersionSchema: a CRD version as JSON Schema", () => {
  const registry = withWidgetCrd();
  const broken = (changes: Record<string, unknown>) => check(variant(widget, changes), registry);
  const brokenAt = (changes: Record<string, unknown>) =>
    pointers(variant(widget, changes), registry);

  it("accepts a custom resource that uses every extension", () => {
    assert.deepEqual(check(widget, registry), []);
  });

  it("x-kubernetes-int-or-string: an integer or a string, nothing else", () => {
    assert.deepEqual(brokenAt({ "/spec/port": 8080 }), []);
    assert.deepEqual(broken({ "/spec/port": 80.5 }), [
      ["schema", "/spec/port", "spec.port: must be an integer or a string (got number)"],
    ]);
  });

  it("x-kubernetes-preserve-unknown-fields: unknown fields pass, declared ones are still checked", () => {
    assert.deepEqual(brokenAt({ "/spec/config/mode": "slow" }), ["/spec/config/mode"]);
  });

  it("x-kubernetes-embedded-resource: apiVersion, kind and metadata allowed and required", () => {
    assert.deepEqual(
      brokenAt({ "/spec/strictTemplate/metadata": { name: "t", labels: { a: "b" } } }),
      [],
    );
    assert.deepEqual(brokenAt({ "/spec/strictTemplate/kind": remove }), ["/spec/strictTemplate"]);
    assert.deepEqual(brokenAt({ "/spec/strictTemplate/spec/paused": true }), [
      "/spec/strictTemplate/spec/paused",
    ]);
  });

  it("nullable: null is kept where the schema allows it, else dropped as the API server does", () => {
    // `note` is nullable (the widget has note: null); `tags` is not: its null is an absent field.
    assert.deepEqual(broken({ "/spec/tags": null }), []);
    // A required field that is null is missing.
    assert.deepEqual(broken({ "/spec/ports/0/name": null }), [
      ["schema", "/spec/ports/0", 'missing required field "spec.ports[0].name"'],
    ]);
  });

  it("unknown fields are errors, at any depth, pointing at the field", () => {
    assert.deepEqual(broken({ "/spec/colour": "red", "/spec/empty/x": 1, "/extra": true }), [
      ["schema", "/extra", 'unknown field "extra"'],
      ["schema", "/spec/colour", 'unknown field "spec.colour"'],
      ["schema", "/spec/empty/x", 'unknown field "spec.empty.x"'],
    ]);
  });

  it("x-kubernetes-list-type set: items unique; map: unique by the map keys", () => {
    assert.deepEqual(broken({ "/spec/tags/2": "a" }), [
      [
        "schema",
        "/spec/tags/2",
        "spec.tags: items 0 and 2 are the same; list items must be unique",
      ],
    ]);
    const [finding] = broken({ "/spec/ports/2": { name: "http", protocol: "TCP" } });
    assert.equal(finding?.[1], "/spec/ports/2");
    assert.match(finding?.[2] ?? "", /items 0 and 2 have the same name="http", protocol="TCP"/);
  });

  it("formats: Kubernetes's leniency, unknown formats ignored", () => {
    assert.deepEqual(brokenAt({ "/spec/created": "2024-05-01T12:00:00.5+02:00" }), []);
    assert.deepEqual(brokenAt({ "/spec/created": "1 May 2024" }), ["/spec/created"]);
    assert.deepEqual(brokenAt({ "/spec/blob": "not base64!" }), ["/spec/blob"]);
  });

  it("patterns run as Go's RE2 runs them: its syntax, and in linear time", function () {
    const withPattern = (pattern: string) => {
      const registry = createSchemaRegistry();
      const crd = variant(widgetCrd, {
        "/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/note/pattern": pattern,
      });
      assert.deepEqual(registry.addCrd(crdFactsOf(doc(crd, "crds/widgets.yaml"))), []);
      return (note: string) => pointers(variant(widget, { "/spec/note": note }), registry);
    };
    // (?i) is RE2's, not JavaScript's: checked, not skipped.
    const caseless = withPattern("(?i)^abc$");
    assert.deepEqual(caseless("ABC"), []);
    assert.deepEqual(caseless("abd"), ["/spec/note"]);
    // Catastrophic backtracking on JavaScript's engine (seconds at 28 characters, doubling with
    // each one more); RE2 answers at once, through the quick check and through ajv alike.
    this.timeout(3000);
    const nested = withPattern("^([a-z0-9]+)+$");
    assert.deepEqual(nested("a".repeat(28) + "!"), ["/spec/note"]);
    assert.deepEqual(nested("a".repeat(28)), []);
  });

  it("OpenAPI's boolean exclusiveMinimum", () => {
    assert.deepEqual(broken({ "/spec/size": 0 }), [
      ["schema", "/spec/size", "spec.size: must be > 0"],
    ]);
  });

  it("counts CEL rules, which it cannot evaluate", () => {
    assert.equal(crdVersionSchema(widgetCrd, "v1")?.celRules, 3);
    assert.deepEqual(
      ["v1", "v2"].map((v) => [v, crdVersionSchema(widgetCrd, v)?.celRules]),
      [
        ["v1", 3],
        ["v2", 0],
      ],
    );
  });

  it("a version the CRD does not serve, or does not have, is a finding", () => {
    const v2 = { ...widget, apiVersion: "example.com/v2" };
    assert.deepEqual(check(v2, registry), [
      [
        "unknown-version",
        "/apiVersion",
        "Widget has no version v2 (its CustomResourceDefinition serves: v1)",
      ],
    ]);
    assert.equal(
      check({ ...widget, apiVersion: "example.com/v3" }, registry)[0]?.[0],
      "unknown-version",
    );
    assert.equal(crdVersionSchema(widgetCrd, "v3"), undefined);
  });
});

describe("addCrd: problems with the CRD itself", () => {
  const broken = (changes: Record<string, unknown>) => {
    const registry = createSchemaRegistry();
    return registry
      .addCrd(crdFactsOf(doc(variant(widgetCrd, changes), "crds/widgets.yaml")))
      .map((f) => [f.severity, f.location.pointer, f.message]);
  };
  const spec = "/spec/versions/0/schema/openAPIV3Schema/properties/spec";

  it("a misspelt schema field, which the API server would drop or refuse", () => {
    assert.deepEqual(broken({ [`${spec}/requried`]: ["port"] }), [
      ["error", `${spec}/requried`, 'unknown schema field "requried"'],
    ]);
  });

  it("$ref and uniqueItems, which apiextensions.k8s.io/v1 forbids", () => {
    const found = broken({
      [`${spec}/properties/ref`]: { $ref: "#/definitions/x" },
      [`${spec}/properties/tags/uniqueItems`]: true,
    });
    assert.deepEqual(found.map(([severity, pointer]) => [severity, pointer]).sort(), [
      ["error", `${spec}/properties/ref/$ref`],
      ["error", `${spec}/properties/tags/uniqueItems`],
    ]);
  });

  it("validations of the wrong type (Swagger's required: true) are errors, not crashes", () => {
    const root = "/spec/versions/0/schema/openAPIV3Schema";
    const found = broken({
      [`${root}/required`]: true,
      [`${spec}/required`]: "port",
      [`${spec}/properties/note/maxLength`]: "10",
    });
    assert.deepEqual(found.map(([severity, pointer]) => [severity, pointer]).sort(), [
      ["error", `${spec}/properties/note/maxLength`],
      ["error", `${spec}/required`],
      ["error", `${root}/required`],
    ]);
  });

  it("a pattern RE2 refuses is an error, as the API server refuses the CRD", () => {
    for (const pattern of ["(a)\\1", "^(?=x)", "a{1001}"]) {
      const found = broken({ [`${spec}/properties/note/pattern`]: pattern });
      assert.deepEqual(
        found.map(([severity, pointer]) => [severity, pointer]),
        [["error", `${spec}/properties/note/pattern`]],
        pattern,
      );
      assert.match(String(found[0]?.[2]), /not a valid RE2 regular expression/);
    }
  });

  it("a name that is not <plural>.<group>, and storage on two versions", () => {
    const found = broken({
      "/metadata/name": "widget.example.com",
      "/spec/versions/1/storage": true,
    });
    assert.deepEqual(
      found.map(([, pointer]) => pointer),
      ["/metadata/name", "/spec/versions"],
    );
  });

  it("a second CRD for the same kind is a warning; the first one is used", () => {
    const registry = withWidgetCrd();
    const other = variant(widgetCrd, {
      "/spec/versions/0/schema/openAPIV3Schema": { type: "object" },
    });
    const [finding] = registry.addCrd(crdFactsOf(doc(other, "crds/other.yaml")));
    assert.equal(finding?.severity, "warning");
    assert.equal(finding?.location.file, "crds/other.yaml");
    // The second CRD's empty schema would refuse every field of the widget's spec.
    assert.deepEqual(check(widget, registry), []);
  });
});

describe("custom resources of the upstream example CRDs", function () {
  const reference = kubeBindReference();
  before(function () {
    if (reference === undefined) {
      console.warn(`      ${skipMessage}`);
      this.skip();
    }
  });

  it("the Cowboy and the Sheriff validate against their CRDs", () => {
    const documents = referenceDocuments(path.join(reference!, "examples"));
    const registry = createSchemaRegistry();
    assert.deepEqual(validateDocuments(documents, registry), []);
    const cowboy = documents.find((d) => d.value.kind === "Cowboy");
    assert.ok(cowboy);
    const bad = variant(cowboy.value, { "/spec/secretRefs/0/key": "x" });
    assert.deepEqual(check(bad, registry), [
      ["schema", "/spec/secretRefs/0/key", 'unknown field "spec.secretRefs[0].key"'],
    ]);
  });
});
