import assert from "node:assert/strict";
import { claimShape } from "../../../src/policy/claim-shape.js";
import { permissionClaimOf } from "../../../src/core/service-binding.js";

const shapeOf = (selector: unknown) =>
  claimShape(permissionClaimOf({ group: "", resource: "secrets", selector }));

describe("claimShape", () => {
  it("is Label for a label selector with matchLabels or matchExpressions", () => {
    assert.deepEqual(shapeOf({ labelSelector: { matchLabels: { app: "db" } } }), ["Label"]);
    assert.deepEqual(
      shapeOf({ labelSelector: { matchExpressions: [{ key: "app", operator: "Exists" }] } }),
      ["Label"],
    );
    // YAML reads `tier: 1` as a number; it still narrows the selector.
    assert.deepEqual(shapeOf({ labelSelector: { matchLabels: { tier: 1 } } }), ["Label"]);
  });

  it("is MatchAll for a label selector without entries, which selects every object", () => {
    assert.deepEqual(shapeOf({ labelSelector: {} }), ["MatchAll"]);
    assert.deepEqual(shapeOf({ labelSelector: { matchLabels: {}, matchExpressions: [] } }), [
      "MatchAll",
    ]);
  });

  it("is Named for named resources and Reference for references", () => {
    assert.deepEqual(shapeOf({ namedResources: [{ name: "creds" }] }), ["Named"]);
    assert.deepEqual(
      shapeOf({
        references: [
          { group: "example.com", resource: "dbs", jsonPath: { name: "spec.secretName" } },
        ],
      }),
      ["Reference"],
    );
  });

  it("lists every branch of a combined selector", () => {
    assert.deepEqual(
      shapeOf({
        labelSelector: {},
        namedResources: [{ name: "a" }],
        references: [{ resource: "dbs", jsonPath: { name: "spec.secretName" } }],
      }),
      ["MatchAll", "Named", "Reference"],
    );
  });

  it("is Empty when no branch selects anything", () => {
    assert.deepEqual(shapeOf({}), ["Empty"]);
    assert.deepEqual(shapeOf({ namedResources: [], references: [] }), ["Empty"]);
    assert.deepEqual(shapeOf(undefined), ["Empty"]);
    assert.deepEqual(shapeOf({ labelSelector: null }), ["Empty"]);
  });
});
