import assert from "node:assert/strict";
import { labelSelectorMatches } from "../../../src/core/label-selector-matches.js";
import type { LabelSelector } from "../../../src/core/service-binding.js";

const credentials = { app: "orders", tier: "db", "example.com/credentials": "true" };

const expression = (key: string, operator: string, values?: string[]): LabelSelector => ({
  matchExpressions: [{ key, operator, ...(values ? { values } : {}) }],
});

describe("labelSelectorMatches", () => {
  it("matches labels equal to every matchLabels entry", () => {
    assert.equal(
      labelSelectorMatches({ matchLabels: { app: "orders", tier: "db" } }, credentials),
      true,
    );
    assert.equal(labelSelectorMatches({ matchLabels: { app: "billing" } }, credentials), false);
  });

  it("does not match an object that lacks a required label", () => {
    assert.equal(labelSelectorMatches({ matchLabels: { team: "orders" } }, credentials), false);
    assert.equal(labelSelectorMatches({ matchLabels: { app: "orders" } }, undefined), false);
  });

  it("matches In only when the label is there with one of the values", () => {
    assert.equal(
      labelSelectorMatches(expression("tier", "In", ["db", "cache"]), credentials),
      true,
    );
    assert.equal(labelSelectorMatches(expression("tier", "In", ["web"]), credentials), false);
    assert.equal(labelSelectorMatches(expression("team", "In", ["orders"]), credentials), false);
  });

  it("matches NotIn when the label has another value or is missing", () => {
    assert.equal(labelSelectorMatches(expression("tier", "NotIn", ["web"]), credentials), true);
    assert.equal(labelSelectorMatches(expression("team", "NotIn", ["orders"]), credentials), true);
    assert.equal(labelSelectorMatches(expression("team", "NotIn", ["orders"]), undefined), true);
    assert.equal(labelSelectorMatches(expression("tier", "NotIn", ["db"]), credentials), false);
  });

  it("matches Exists and DoesNotExist on whether the label is there, whatever its value", () => {
    assert.equal(labelSelectorMatches(expression("tier", "Exists"), credentials), true);
    assert.equal(labelSelectorMatches(expression("team", "Exists"), credentials), false);
    assert.equal(labelSelectorMatches(expression("team", "DoesNotExist"), credentials), true);
    assert.equal(labelSelectorMatches(expression("tier", "DoesNotExist"), credentials), false);
    assert.equal(labelSelectorMatches(expression("team", "DoesNotExist"), undefined), true);
  });

  it("requires every entry to hold", () => {
    const selector: LabelSelector = {
      matchLabels: { app: "orders" },
      matchExpressions: [
        { key: "tier", operator: "In", values: ["db"] },
        { key: "example.com/rotated", operator: "DoesNotExist" },
      ],
    };
    assert.equal(labelSelectorMatches(selector, credentials), true);
    assert.equal(
      labelSelectorMatches(selector, { ...credentials, "example.com/rotated": "yes" }),
      false,
    );
  });

  it("matches every object with an empty selector, even one without labels", () => {
    assert.equal(labelSelectorMatches({}, credentials), true);
    assert.equal(labelSelectorMatches({ matchLabels: {}, matchExpressions: [] }, undefined), true);
  });

  it("matches nothing when an entry could not be read", () => {
    // Each would otherwise match: leaving the bad entry out must not widen the selector.
    assert.equal(
      labelSelectorMatches({ matchLabels: { app: "orders" }, unreadable: 1 }, credentials),
      false,
    );
    assert.equal(labelSelectorMatches({ unreadable: 1 }, credentials), false);
    assert.equal(labelSelectorMatches(expression("tier", "Equals", ["db"]), credentials), false);
    assert.equal(labelSelectorMatches(expression("team", "NotIn"), credentials), false);
    assert.equal(labelSelectorMatches(expression("team", "In", []), credentials), false);
    assert.equal(
      labelSelectorMatches(expression("team", "DoesNotExist", ["x"]), credentials),
      false,
    );
  });
});
