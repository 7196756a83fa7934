import assert from "node:assert/strict";
import { adaptCrdToServer } from "../../../src/kube/adapt-crd-to-server.js";
import { parseServerVersion } from "../../../src/kube/server-version.js";

/** A CRD as controller-gen writes it today: CEL rules at several depths, selectable fields. */
function modernCrd() {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.com" },
    spec: {
      group: "example.com",
      scope: "Namespaced",
      names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          selectableFields: [{ jsonPath: ".spec.color" }],
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: {
                spec: {
                  type: "object",
                  "x-kubernetes-validations": [
                    {
                      rule: "self.size > 0",
                      message: "size must be positive",
                      messageExpression: "'size is ' + string(self.size)",
                      reason: "FieldValueInvalid",
                      fieldPath: ".size",
                    },
                  ],
                  properties: {
                    color: { type: "string", default: "" },
                    size: { type: "integer" },
                    // A property that happens to be named like the keyword is data, not a rule.
                    "x-kubernetes-validations": { type: "string" },
                    parts: {
                      type: "array",
                      "x-kubernetes-list-type": "map",
                      "x-kubernetes-list-map-keys": ["name"],
                      items: {
                        type: "object",
                        "x-kubernetes-validations": [
                          { rule: "self.name != ''", optionalOldSelf: true },
                        ],
                        properties: { name: { type: "string" } },
                      },
                    },
                    labels: {
                      type: "object",
                      "x-kubernetes-map-type": "atomic",
                      additionalProperties: {
                        type: "string",
                        "x-kubernetes-validations": [{ rule: "self.size() < 64" }],
                      },
                    },
                    choice: {
                      oneOf: [
                        {
                          type: "object",
                          "x-kubernetes-validations": [{ rule: "has(self.a)" }],
                        },
                      ],
                      not: { "x-kubernetes-validations": [{ rule: "false" }] },
                    },
                    defaults: {
                      type: "object",
                      default: { "x-kubernetes-validations": "stays: a default is data" },
                    },
                  },
                },
              },
            },
          },
        },
        {
          name: "v2",
          served: true,
          storage: false,
          selectableFields: [{ jsonPath: ".spec.color" }],
          schema: { openAPIV3Schema: { type: "object" } },
        },
      ],
    },
  };
}

const at = (version: string) => parseServerVersion(version);

/** The value at a path of keys and indexes, for reading into adapted CRDs. */
function dig(value: unknown, ...path: (string | number)[]): unknown {
  return path.reduce<unknown>(
    (node, key) => (node as Record<string | number, unknown> | undefined)?.[key],
    value,
  );
}
const specSchema = ["spec", "versions", 0, "schema", "openAPIV3Schema", "properties", "spec"];

describe("adaptCrdToServer", () => {
  it("drops every CEL rule and selectableFields for a 1.20 server, and says so", () => {
    const original = modernCrd();
    const snapshot = structuredClone(original);
    const { crd, dropped, summary, server } = adaptCrdToServer(original, at("v1.20.2"));

    const text = JSON.stringify(crd);
    // Only the property named like the keyword remains, as a property.
    assert.equal(text.split('"x-kubernetes-validations":{"type":"string"}').length, 2);
    assert.equal(text.match(/"x-kubernetes-validations":\[/g), null);
    assert.ok(!text.includes("selectableFields"));
    assert.deepEqual(dig(crd, ...specSchema, "properties", "defaults"), {
      type: "object",
      default: { "x-kubernetes-validations": "stays: a default is data" },
    });
    // What 1.20 does know stays.
    const parts = dig(crd, ...specSchema, "properties", "parts");
    assert.equal(dig(parts, "x-kubernetes-list-type"), "map");
    assert.deepEqual(dig(parts, "x-kubernetes-list-map-keys"), ["name"]);

    assert.equal(summary, "5 x-kubernetes-validations rules and selectableFields");
    assert.equal(server, "v1.20");
    assert.ok(dropped.includes("/spec/versions/0/selectableFields"));
    assert.ok(dropped.includes("/spec/versions/1/selectableFields"));
    assert.ok(
      dropped.includes(
        "/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/parts/items/x-kubernetes-validations",
      ),
    );
    assert.equal(dropped.length, 7);
    assert.deepEqual(original, snapshot, "the input is left as it was");
  });

  it("treats 1.24 like 1.20: CEL rules are not served before 1.25", () => {
    const { crd, summary } = adaptCrdToServer(modernCrd(), at("v1.24.17"));
    assert.ok(!JSON.stringify(crd).includes('"rule"'));
    assert.equal(summary, "5 x-kubernetes-validations rules and selectableFields");
  });

  it("keeps CEL rules on 1.25 but drops the rule fields added later", () => {
    const { crd, summary, dropped } = adaptCrdToServer(modernCrd(), at("v1.25.0"));
    const rule = dig(crd, ...specSchema, "x-kubernetes-validations", 0);
    assert.deepEqual(rule, { rule: "self.size > 0", message: "size must be positive" });
    assert.equal(JSON.stringify(crd).match(/"rule"/g)?.length, 5);
    assert.equal(
      summary,
      "messageExpression from 1 validation rule, reason from 1 validation rule, " +
        "fieldPath from 1 validation rule, optionalOldSelf from 1 validation rule and selectableFields",
    );
    assert.equal(dropped.length, 6);
  });

  it("keeps every rule field on 1.30 and drops only selectableFields", () => {
    const { crd, summary, dropped } = adaptCrdToServer(modernCrd(), at("v1.30.4"));
    const rules = JSON.stringify(crd);
    assert.ok(rules.includes("messageExpression") && rules.includes("optionalOldSelf"));
    assert.ok(!rules.includes("selectableFields"));
    assert.equal(summary, "selectableFields");
    assert.deepEqual(dropped, [
      "/spec/versions/0/selectableFields",
      "/spec/versions/1/selectableFields",
    ]);
  });

  for (const version of ["v1.31.0", "1.31.0+k3s1", "v1.33.1"]) {
    it(`sends the CRD unchanged to ${version}`, () => {
      const original = modernCrd();
      const result = adaptCrdToServer(original, at(version));
      assert.equal(result.crd, original);
      assert.deepEqual(result.dropped, []);
      assert.equal(result.summary, undefined);
    });
  }

  it("returns the same object to an old server when there is nothing to drop", () => {
    const plain = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "plain.example.com" },
      spec: { versions: [{ name: "v1", schema: { openAPIV3Schema: { type: "object" } } }] },
    };
    const result = adaptCrdToServer(plain, at("v1.20.2"));
    assert.equal(result.crd, plain);
    assert.equal(result.summary, undefined);
  });

  it("adapts a v1beta1 CRD's single schema too", () => {
    const legacy = {
      apiVersion: "apiextensions.k8s.io/v1beta1",
      kind: "CustomResourceDefinition",
      metadata: { name: "old.example.com" },
      spec: {
        validation: {
          openAPIV3Schema: {
            type: "object",
            properties: { spec: { "x-kubernetes-validations": [{ rule: "true" }] } },
          },
        },
      },
    };
    const { crd, summary } = adaptCrdToServer(legacy, at("v1.20.2"));
    assert.deepEqual(crd.spec.validation.openAPIV3Schema.properties.spec, {});
    assert.equal(summary, "1 x-kubernetes-validations rule");
  });
});
