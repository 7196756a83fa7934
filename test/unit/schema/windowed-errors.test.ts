import assert from "node:assert/strict";
import type { ErrorObject } from "ajv";
import { windowedErrors } from "../../../src/schema/windowed-errors.js";
import { check } from "./fixtures.js";

/** A check that finds every number, and records the largest collection it was given. */
function numbersCheck(): { check: (value: unknown) => ErrorObject[]; largest: () => number } {
  let largest = 0;
  const visit = (value: unknown, at: string, errors: ErrorObject[]): void => {
    if (typeof value === "number") {
      errors.push({ instancePath: at, schemaPath: "#/type", keyword: "type", params: {} });
    } else if (typeof value === "object" && value !== null) {
      const entries = Object.entries(value);
      largest = Math.max(largest, entries.length);
      for (const [key, child] of entries) visit(child, `${at}/${key}`, errors);
    }
  };
  return {
    check: (value) => {
      const errors: ErrorObject[] = [];
      visit(value, "", errors);
      return errors;
    },
    largest: () => largest,
  };
}

describe("windowedErrors", () => {
  it("never hands the check a collection of more than 1,000 entries, and keeps each error's place", () => {
    const counting = numbersCheck();
    const list = Array.from({ length: 2500 }, (_, i) => (i === 2345 ? 7 : "ok"));
    const map = Object.fromEntries(
      Array.from({ length: 3000 }, (_, i) => [`k${i}`, i === 2999 ? 1 : "v"]),
    );
    const value = { kind: 1, spec: { list, map, nested: [{ many: list }] } };
    const errors = windowedErrors(value, counting.check);
    assert.deepEqual(errors.map((e) => e.instancePath).sort(), [
      "/kind",
      "/spec/list/2345",
      "/spec/map/k2999",
      "/spec/nested/0/many/2345",
    ]);
    assert.ok(counting.largest() <= 1000, String(counting.largest()));
  });

  it("stops looking once it has found enough errors", () => {
    const counting = numbersCheck();
    const errors = windowedErrors(
      { data: Array.from({ length: 100_000 }, (_, i) => i) },
      counting.check,
    );
    assert.equal(errors.length, 1000);
  });

  it("a ConfigMap with 50,000 wrong values is reported at once, not after minutes", function () {
    this.timeout(60_000);
    const data = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i]));
    const findings = check({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data });
    assert.match(findings.at(-1)?.[2] ?? "", /more/, JSON.stringify(findings.at(-1)));
    assert.equal(findings.length, 101);
    assert.deepEqual(findings[0], [
      "schema",
      "/data/k0",
      "data.k0: must be a string (got integer)",
    ]);
  });
});
