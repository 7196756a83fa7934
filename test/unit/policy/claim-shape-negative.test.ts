import assert from "node:assert/strict";
import { claimShape } from "../../../src/policy/claim-shape.js";
import { permissionClaimOf } from "../../../src/core/service-binding.js";

const shapeOf = (labelSelector: unknown) =>
  claimShape(permissionClaimOf({ group: "", resource: "secrets", selector: { labelSelector } }));

describe("claimShape: which label selectors narrow", () => {
  it("only NotIn / DoesNotExist requirements still select (nearly) everything: MatchAll", () => {
    assert.deepEqual(
      shapeOf({ matchExpressions: [{ key: "app", operator: "NotIn", values: ["nothing"] }] }),
      ["MatchAll"],
    );
    assert.deepEqual(shapeOf({ matchExpressions: [{ key: "unused", operator: "DoesNotExist" }] }), [
      "MatchAll",
    ]);
  });

  it("a required label (matchLabels, In, Exists) narrows: Label", () => {
    assert.deepEqual(shapeOf({ matchLabels: { app: "orders" } }), ["Label"]);
    assert.deepEqual(
      shapeOf({ matchExpressions: [{ key: "app", operator: "In", values: ["a"] }] }),
      ["Label"],
    );
    assert.deepEqual(
      shapeOf({
        matchExpressions: [
          { key: "team", operator: "Exists" },
          { key: "app", operator: "NotIn", values: ["x"] },
        ],
      }),
      ["Label"],
    );
  });
});
