import assert from "node:assert/strict";
import { createAjv } from "../../../src/schema/create-ajv.js";
import { crdVersionSchema } from "../../../src/schema/crd-version-schema.js";
import type { JsonSchema } from "../../../src/schema/json-schema.js";
import { fieldPath, schemaErrorMessages } from "../../../src/schema/schema-error-messages.js";

const ajv = createAjv({ allErrors: true });
function problems(schema: JsonSchema, value: unknown, limit?: number) {
  const validate = ajv.compile(schema);
  validate(value);
  return schemaErrorMessages(validate.errors ?? [], value, limit).map((p) => [
    p.pointer,
    p.message,
  ]);
}

describe("schemaErrorMessages: ajv errors a person can read", () => {
  it("field paths as written in YAML, odd keys quoted", () => {
    assert.equal(fieldPath(""), "");
    assert.equal(fieldPath("/spec/namespaces/0/name"), "spec.namespaces[0].name");
    assert.equal(
      fieldPath("/metadata/labels/app.kubernetes.io~1name"),
      'metadata.labels["app.kubernetes.io/name"]',
    );
  });

  it("two enums on one field (allOf) are one finding", () => {
    const schema: JsonSchema = {
      type: "object",
      properties: {
        scope: {
          type: "string",
          allOf: [{ enum: ["Cluster", "Namespaced"] }, { enum: ["Namespaced", "Cluster"] }],
        },
      },
    };
    assert.deepEqual(problems(schema, { scope: "Namespace" }), [
      ["/scope", 'scope: must be one of Cluster, Namespaced (got "Namespace")'],
    ]);
  });

  it("anyOf/oneOf: the branch that nearly matched, not every branch", () => {
    const schema: JsonSchema = {
      type: "object",
      properties: {
        source: {
          oneOf: [
            { type: "string" },
            {
              type: "object",
              properties: { url: { type: "string", format: "uri" }, ref: { type: "string" } },
              required: ["url"],
              additionalProperties: false,
            },
          ],
        },
      },
    };
    assert.deepEqual(problems(schema, { source: { ref: "main" } }), [
      ["/source", 'missing required field "source.url"'],
    ]);
    assert.deepEqual(problems(schema, { source: 3 }), [
      ["/source", "source: must be a string or a mapping (got integer)"],
    ]);
  });

  it("an int-or-string CRD field gives one line", () => {
    const crd = {
      spec: {
        versions: [
          {
            name: "v1",
            schema: {
              openAPIV3Schema: {
                type: "object",
                properties: {
                  port: {
                    anyOf: [{ type: "integer" }, { type: "string" }],
                    "x-kubernetes-int-or-string": true,
                  },
                },
              },
            },
          },
        ],
      },
    };
    const { schema } = crdVersionSchema(crd, "v1")!;
    assert.deepEqual(
      problems(schema, { apiVersion: "a/v1", kind: "A", metadata: { name: "a" }, port: [] }),
      [["/port", "port: must be an integer or a string (got array)"]],
    );
  });

  it("caps the findings of one document", () => {
    const schema: JsonSchema = { type: "object", additionalProperties: false };
    const value = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`f${i}`, i]));
    const found = problems(schema, value, 5);
    assert.equal(found.length, 6);
    assert.deepEqual(found[5], ["", "3 more schema errors not shown"]);
  });
});
