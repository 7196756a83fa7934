import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { shippedSchemas } from "../../src/schema/builtin-schemas.js";
import { createAjv, listMapKeys } from "../../src/schema/create-ajv.js";
import type { DocumentValidator } from "../../src/schema/kind-validator.js";
import { kubernetesFormats } from "../../src/schema/kubernetes-formats.js";
import { precompiledFile } from "../../src/schema/precompiled-validator.js";
import { schemaFingerprint } from "../../src/schema/schema-fingerprint.js";
import { repoRoot, sharedDir } from "../support/repo-root.js";

type Json = Record<string, unknown>;

interface Generated {
  fingerprint: string;
  create(context: { formats: unknown; listMapKeys: unknown }): DocumentValidator;
}

const generatedDir = path.join(repoRoot, "dist/schema/generated");

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

/** The document, and it changed in one place at a time, down to a few levels. */
function variants(value: unknown, depth = 0): unknown[] {
  const out: unknown[] = [value];
  if (depth > 3 || typeof value !== "object" || value === null) return out;
  const odd: unknown[] = [null, "", "Bad Name", 7, -1, true, [], {}, { x: 1 }, "2024-13-01"];
  if (Array.isArray(value)) {
    const list = value as unknown[];
    list.forEach((item, i) => {
      for (const v of [...odd, ...variants(item, depth + 1).slice(1, 6)]) {
        out.push(list.map((x, j) => (j === i ? v : x)));
      }
    });
    out.push([...list, ...list]);
    return out;
  }
  const record = value as Json;
  for (const key of Object.keys(record)) {
    const { [key]: _removed, ...rest } = record;
    out.push(rest);
    for (const v of [...odd, ...variants(record[key], depth + 1).slice(1, 8)]) {
      out.push({ ...record, [key]: v });
    }
  }
  out.push({ ...record, unknownField: 1 });
  return out;
}

describe("validators generated at build time (dist/schema/generated)", function () {
  this.timeout(120_000);

  it("exist for every shipped schema and were generated from the schemas in src", () => {
    assert.ok(existsSync(generatedDir), "npm run build generates them");
    const load = createRequire(import.meta.url);
    for (const { id, schema } of shippedSchemas()) {
      const generated = load(path.join(generatedDir, precompiledFile(id))) as Generated;
      assert.equal(generated.fingerprint, schemaFingerprint(schema), id);
    }
  });

  it("decide like validators compiled at run time, with the same first error", () => {
    const load = createRequire(import.meta.url);
    const documents = [...yamlDocuments(path.join(repoRoot, "examples"))];
    const shared = sharedDir();
    if (shared) documents.push(...yamlDocuments(path.join(shared, "reference", "kube-bind")));
    const values = documents.flatMap((d) => variants(d));
    const ajv = createAjv({ allErrors: false });
    let accepted = 0;
    for (const { id, schema } of shippedSchemas()) {
      const generated = load(path.join(generatedDir, precompiledFile(id))) as Generated;
      const fast = generated.create({ formats: kubernetesFormats, listMapKeys });
      const compiled = ajv.compile(schema);
      for (const value of values) {
        const valid = compiled(value);
        if (valid) accepted += 1;
        assert.equal(fast(value), valid, `${id}: ${JSON.stringify(value).slice(0, 200)}`);
        assert.deepEqual(fast.errors ?? null, compiled.errors ?? null, id);
      }
    }
    assert.ok(accepted > 50, `only ${accepted} valid documents compared`);
  });
});
