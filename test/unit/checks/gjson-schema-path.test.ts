import assert from "node:assert/strict";
import { walkGjsonPath } from "../../../src/checks/gjson-schema-path.js";

const schema = {
  type: "object",
  properties: {
    spec: {
      type: "object",
      properties: {
        "tls.secret": { type: "string" },
        names: { type: "array", items: { type: "string" } },
        labels: { type: "object", additionalProperties: { type: "string" } },
        template: { type: "object", "x-kubernetes-embedded-resource": true, properties: {} },
      },
    },
  },
};

describe("walkGjsonPath", () => {
  it("follows escaped dots, lists of names, maps and embedded resources", () => {
    for (const path of [
      "spec.tls\\.secret",
      "spec.names",
      "spec.names.#",
      "spec.labels.app",
      "spec.template.metadata.name",
      "kind",
    ]) {
      assert.deepEqual(walkGjsonPath(schema, path), { status: "found" }, path);
    }
  });

  it("does not judge gjson queries, wildcards or modifiers", () => {
    for (const path of ["spec.names.#(=a)", "spec.na?es", "@this", "spec|names"]) {
      assert.deepEqual(walkGjsonPath(schema, path), { status: "unchecked" }, path);
    }
  });

  it("says where a path leaves the schema", () => {
    assert.deepEqual(walkGjsonPath(schema, "spec.tls.secret"), {
      status: "missing",
      message: "`spec` has no field `tls` (its fields: tls.secret, names, labels, template)",
    });
    assert.equal(walkGjsonPath(schema, "spec..names").status, "missing");
    assert.equal(walkGjsonPath(schema, "metadata").status, "missing");
    assert.equal(walkGjsonPath(schema, "metadata.namespac").status, "missing");
    assert.equal(walkGjsonPath(schema, "spec.template.metadata.nme").status, "missing");
  });
});
