import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { createAjv } from "../../../src/schema/create-ajv.js";
import { crdVersionSchema } from "../../../src/schema/crd-version-schema.js";
import type { JsonSchema } from "../../../src/schema/json-schema.js";
import { kubeBindCrds } from "../../../src/schema/kube-bind-crds.js";
import { objectMetaSchema } from "../../../src/schema/object-meta-schema.js";
import { quickCheck } from "../../../src/schema/quick-check.js";
import { repoRoot, sharedDir } from "../../support/repo-root.js";

type Json = Record<string, unknown>;

/** Every YAML document under a folder, as plain data. */
function yamlDocuments(dir: string): Json[] {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter(
    (e) => e.isFile() && /\.ya?ml$/.test(e.name),
  );
  return files.flatMap((entry) =>
    parseAllDocuments(readFileSync(path.join(entry.parentPath, entry.name), "utf8"))
      .map((d) => d.toJS() as unknown)
      .filter((v): v is Json => typeof v === "object" && v !== null && !Array.isArray(v)),
  );
}

const crd = (versions: Json[]): Json => ({
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "things.example.com" },
  spec: { group: "example.com", names: { kind: "Thing", plural: "things" }, versions },
});

/** CRD schemas that use every keyword the quick check knows, and some it does not. */
const tricky = crd([
  {
    name: "v1",
    served: true,
    storage: true,
    schema: {
      openAPIV3Schema: {
        type: "object",
        properties: {
          spec: {
            type: "object",
            required: ["size"],
            minProperties: 1,
            maxProperties: 6,
            properties: {
              size: { type: "integer", minimum: 1, maximum: 10 },
              ratio: { type: "number", minimum: 0, exclusiveMaximum: true, maximum: 1 },
              name: { type: "string", minLength: 2, maxLength: 5, pattern: "^[a-zé😀]+$" },
              mode: { type: "string", enum: ["a", "b"], nullable: true },
              port: { "x-kubernetes-int-or-string": true },
              when: { type: "string", format: "date-time" },
              tags: { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "set" },
              ports: {
                type: "array",
                maxItems: 3,
                "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["port"],
                items: {
                  type: "object",
                  properties: { port: { type: "integer" }, name: { type: "string" } },
                },
              },
              labels: { type: "object", additionalProperties: { type: "string", maxLength: 3 } },
              free: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
              either: {
                type: "object",
                properties: { a: { type: "string" }, b: { type: "string" } },
                anyOf: [{ required: ["a"] }, { required: ["b"] }],
                allOf: [{ properties: { a: { maxLength: 4 } } }],
              },
              odd: { type: "integer", multipleOf: 2 },
              one: { type: "object", oneOf: [{ required: ["x"] }, { required: ["y"] }] },
            },
          },
        },
      },
    },
  },
]);

function schemas(): JsonSchema[] {
  const crds: Json[] = [
    tricky,
    ...(kubeBindCrds() as unknown as Json[]),
    ...yamlDocuments(path.join(repoRoot, "examples")).filter(
      (d) => d.kind === "CustomResourceDefinition",
    ),
  ];
  const shared = sharedDir();
  if (shared) {
    crds.push(
      ...yamlDocuments(path.join(shared, "reference", "kube-bind", "crds")).filter(
        (d) => d.kind === "CustomResourceDefinition",
      ),
    );
  }
  const fromCrds = crds.flatMap((c) => {
    const versions = ((c.spec as Json).versions as Json[]) ?? [];
    return versions.flatMap((v) => crdVersionSchema(c, v.name as string)?.schema ?? []);
  });
  const metadata = (["subdomain", "label", "dns1035Label", "pathSegment"] as const).map((name) => ({
    type: "object" as const,
    properties: { metadata: objectMetaSchema({ fields: "kubernetes", name }) },
    required: ["metadata"],
  }));
  return [...fromCrds, ...metadata];
}

/** A few hundred values per document: the document, and it changed one place at a time. */
function variants(value: unknown, depth = 0): unknown[] {
  const out: unknown[] = [value];
  const odd: unknown[] = [
    null,
    "",
    "x",
    "yes",
    "2024-13-45T00:00:00Z",
    "2024-05-01T12:00:00Z",
    "é😀",
    "a".repeat(300),
    0,
    -1,
    1.5,
    7,
    2 ** 40,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    true,
    [],
    [1, 1],
    ["a", "a"],
    [{ port: 1 }, { port: 1 }],
    {},
    { unknown: 1 },
  ];
  if (depth > 3) return out;
  if (Array.isArray(value)) {
    const list = value as unknown[];
    list.forEach((item, i) => {
      for (const v of variants(item, depth + 1).slice(1, 8)) {
        out.push(list.map((x, j) => (j === i ? v : x)));
      }
    });
    out.push([...list, ...list], list.slice(1));
  } else if (typeof value === "object" && value !== null) {
    const record = value as Json;
    for (const key of Object.keys(record)) {
      const { [key]: _removed, ...rest } = record;
      out.push(rest);
      for (const v of [...odd, ...variants(record[key], depth + 1).slice(1, 12)]) {
        out.push({ ...record, [key]: v });
      }
    }
    out.push({ ...record, surprise: "field" });
  } else {
    out.push(...odd);
  }
  return out;
}

describe("quickCheck", () => {
  const all = schemas();
  const ajv = createAjv({ allErrors: false });
  const documents = [
    ...yamlDocuments(path.join(repoRoot, "examples")),
    {
      apiVersion: "example.com/v1",
      kind: "Thing",
      metadata: { name: "t", labels: { a: "b" } },
      spec: {
        size: 3,
        ratio: 0.5,
        name: "é😀",
        mode: null,
        port: "http",
        when: "2024-05-01T12:00:00Z",
        tags: ["a", "b"],
        ports: [{ port: 1 }, { port: 2, name: "x" }],
        labels: { a: "b" },
        free: { anything: [1, { x: 2 }] },
        either: { b: "x" },
      },
    },
  ];
  const shared = sharedDir();
  if (shared) documents.push(...yamlDocuments(path.join(shared, "reference", "kube-bind")));
  const values = documents.flatMap((d) => variants(d));

  it("vouches only for values the compiled schema accepts", () => {
    let vouched = 0;
    let accepted = 0;
    for (const schema of all) {
      const quick = quickCheck(schema);
      if (quick === undefined) continue;
      const exact = ajv.compile(schema);
      for (const value of values) {
        const valid = exact(value);
        if (valid) accepted += 1;
        if (!quick(value)) continue;
        vouched += 1;
        if (!valid) {
          assert.fail(
            `quick check accepted what ajv refuses: ${JSON.stringify(exact.errors)} for ${JSON.stringify(value).slice(0, 300)}`,
          );
        }
      }
    }
    // It must be worth having: it vouches for nearly every value ajv accepts.
    assert.ok(accepted > 100, `only ${accepted} accepted values to compare`);
    assert.ok(vouched >= accepted * 0.95, `vouched for ${vouched} of ${accepted} valid values`);
  });

  it("knows the keywords of CRD schemas, and declines others", () => {
    const [trickySchema] = all;
    assert.equal(quickCheck(trickySchema!), undefined, "multipleOf and oneOf are not its business");
    const supported = all.filter((s) => quickCheck(s) !== undefined).length;
    assert.ok(supported >= all.length - 1, `${supported} of ${all.length} schemas`);
    assert.equal(quickCheck({ type: "string", pattern: "(" }), undefined);
    assert.equal(quickCheck({ type: "string", format: "no-such-format" }), undefined);
    assert.equal(quickCheck({ $ref: "#/definitions/x" }), undefined);
  });

  it("is not sure about NaN and the infinities, where ajv has its own reading", () => {
    const quick = quickCheck({ type: "number" })!;
    assert.equal(quick(1), true);
    assert.equal(quick(Number.NaN), false);
    assert.equal(quick(Number.NEGATIVE_INFINITY), false);
  });

  it("checks the tricky schema without multipleOf and oneOf like ajv", () => {
    const plain = structuredClone(tricky);
    const spec = (((plain.spec as Json).versions as Json[])[0]!.schema as Json)
      .openAPIV3Schema as Json;
    const props = ((spec.properties as Json).spec as Json).properties as Json;
    delete props.odd;
    delete props.one;
    const schema = crdVersionSchema(plain, "v1")!.schema;
    const quick = quickCheck(schema);
    assert.ok(quick, "supported once multipleOf and oneOf are gone");
    const exact = ajv.compile(schema);
    let agree = 0;
    let total = 0;
    for (const value of values) {
      const q = quick(value);
      const valid = exact(value);
      assert.ok(!q || valid, `accepted what ajv refuses: ${JSON.stringify(value).slice(0, 300)}`);
      total += 1;
      if (q === valid) agree += 1;
    }
    assert.ok(agree >= total * 0.99, `${agree} of ${total}`);
  });
});
