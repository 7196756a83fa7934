import assert from "node:assert/strict";
import { load } from "js-yaml";
import { ValueInterner } from "../../../src/manifests/value-interner.js";

const crd = (description: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  versions:
  - name: v1
    schema:
      openAPIV3Schema:
        description: ${description}
        properties:
          spec:
            description: The desired state of the widget, as its owner wants it.
            properties:
              size: {type: integer, maximum: 10}
              tags: {type: array, items: {type: string}}
`;

/** A nested field, read without types: `at(v, "spec", "names")`. */
const at = (value: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], value);

describe("ValueInterner", () => {
  it("shares what copies of a document have in common, and changes no value", () => {
    const interner = new ValueInterner();
    const first = load(crd("The first copy."));
    const second = load(crd("The second copy, a little different."));
    const expected = [structuredClone(first), structuredClone(second)];
    const a = interner.intern(first);
    const b = interner.intern(second);
    assert.deepEqual([a, b], expected);
    const schema = (v: unknown) => at(v, "spec", "versions", 0, "schema", "openAPIV3Schema");
    // The part that differs is each one's own; everything below and beside it is one object.
    assert.notEqual(schema(a), schema(b));
    assert.equal(at(schema(a), "properties"), at(schema(b), "properties"));
    assert.equal(at(a, "spec", "names"), at(b, "spec", "names"));
    assert.equal(at(a, "metadata"), at(b, "metadata"));
    // A document equal to one seen before is that one.
    assert.equal(interner.intern(load(crd("The first copy."))), a);
  });

  it("keys mappings by their entries, so that values of other types are never confused", () => {
    const interner = new ValueInterner();
    const values = [
      { a: 1 },
      { a: "1" },
      { a: true },
      { a: "true" },
      { a: null },
      { a: [1] },
      { a: { 0: 1 } },
    ];
    const interned = values.map((v) => interner.intern(structuredClone(v)));
    assert.deepEqual(interned, values);
    assert.equal(new Set(interned).size, values.length);
  });
});
