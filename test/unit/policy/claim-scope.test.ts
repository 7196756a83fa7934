import assert from "node:assert/strict";
import { claimScope } from "../../../src/policy/claim-scope.js";
import { permissionClaimOf } from "../../../src/core/service-binding.js";

const scopeOf = (selector: unknown, namespaces: string[] = []) =>
  claimScope(permissionClaimOf({ group: "", resource: "secrets", selector }), { namespaces });

describe("claimScope", () => {
  it("is Namespaced whatever the selector when the binding lists namespaces", () => {
    assert.equal(scopeOf({ labelSelector: {} }, ["orders"]), "Namespaced");
    assert.equal(scopeOf({}, ["orders"]), "Namespaced");
  });

  it("is Namespaced when every named resource has a namespace", () => {
    assert.equal(
      scopeOf({
        namedResources: [
          { name: "a", namespace: "orders" },
          { name: "b", namespace: "billing" },
        ],
      }),
      "Namespaced",
    );
  });

  it("is Cluster when a named resource has no namespace or an empty one", () => {
    assert.equal(
      scopeOf({ namedResources: [{ name: "a", namespace: "orders" }, { name: "b" }] }),
      "Cluster",
    );
    assert.equal(scopeOf({ namedResources: [{ name: "a", namespace: "" }] }), "Cluster");
  });

  it("is Cluster when a label or reference branch can reach any namespace", () => {
    const named = [{ name: "a", namespace: "orders" }];
    assert.equal(
      scopeOf({ namedResources: named, labelSelector: { matchLabels: { a: "b" } } }),
      "Cluster",
    );
    assert.equal(
      scopeOf({ namedResources: named, references: [{ resource: "x", jsonPath: { name: "n" } }] }),
      "Cluster",
    );
    assert.equal(scopeOf({ labelSelector: { matchLabels: { app: "db" } } }), "Cluster");
    assert.equal(scopeOf({ labelSelector: {} }), "Cluster");
  });

  it("is Cluster for an empty selector without binding namespaces", () => {
    assert.equal(scopeOf({}), "Cluster");
  });
});
