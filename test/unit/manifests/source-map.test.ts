import assert from "node:assert/strict";
import type { Finding } from "../../../src/core/finding.js";
import { readFiles } from "../../../src/git/read-files.js";
import { loadFiles } from "../../../src/manifests/load-files.js";
import { SourceMap } from "../../../src/manifests/source-map.js";
import { tempRepo } from "./temp-repo.js";

const binding = [
  "# a consumer's binding",
  "apiVersion: v1",
  "kind: ConfigMap",
  "metadata: {name: first}",
  "---",
  "apiVersion: bindops.dev/v1alpha1",
  "kind: ServiceBinding",
  "metadata:",
  "  name: orders-db",
  "spec:",
  "  consumer: consumer",
  "  permissionClaims:",
  '  - group: ""',
  "    resource: secrets",
  "    selector:",
  "      labelSelector:",
  "        matchLabels: {app: orders-db}",
  "  - group: apps",
  "    resource: deployments",
  "",
].join("\r\n");

function sources(files: Record<string, string>): SourceMap {
  const repo = tempRepo(files);
  try {
    return loadFiles(readFiles(repo.root, Object.keys(files))).sources;
  } finally {
    repo.remove();
  }
}

describe("SourceMap", () => {
  it("finds the line of /spec/permissionClaims/0/resource in a nested document of a CRLF file", () => {
    const map = sources({ "b.yaml": binding });
    assert.deepEqual(map.locate("b.yaml", 1, "/spec/permissionClaims/0/resource"), {
      line: 14,
      col: 5,
    });
    assert.deepEqual(map.locate("b.yaml", 1, "/spec/permissionClaims/1"), { line: 18, col: 5 });
    assert.deepEqual(
      map.locate("b.yaml", 1, "/spec/permissionClaims/0/selector/labelSelector/matchLabels/app"),
      {
        line: 17,
        col: 23,
      },
    );
    assert.deepEqual(map.locate("b.yaml", 0, ""), { line: 2, col: 1 });
  });

  it("falls back to the nearest field that exists when the pointer names a missing one", () => {
    const map = sources({ "b.yaml": binding });
    assert.deepEqual(map.locate("b.yaml", 1, "/spec/permissionClaims/0/verbs/0"), {
      line: 13,
      col: 5,
    });
    assert.deepEqual(map.locate("b.yaml", 1, "/spec/permissionClaims/7"), { line: 12, col: 3 });
    assert.deepEqual(map.locate("b.yaml", 1, "/status"), { line: 6, col: 1 });
    assert.equal(map.locate("b.yaml", 5, ""), undefined);
    assert.equal(map.locate("missing.yaml", 0, ""), undefined);
  });

  it("decodes ~1 and ~0 in pointer segments, as in label keys", () => {
    const map = sources({
      "l.yaml": "kind: A\nmetadata:\n  labels:\n    app.kubernetes.io/name: x\n    a~b: y\n",
    });
    assert.deepEqual(map.locate("l.yaml", 0, "/metadata/labels/app.kubernetes.io~1name"), {
      line: 4,
      col: 5,
    });
    assert.deepEqual(map.locate("l.yaml", 0, "/metadata/labels/a~0b"), { line: 5, col: 5 });
  });

  it("finds fields that come from an alias or a `<<` merge where they are written", () => {
    const map = sources({
      "m.yaml":
        "kind: A\ndefaults: &d\n  replicas: 2\n  image: web\nspec:\n  <<: *d\n  replicas: 3\ncopy: *d\n",
    });
    assert.deepEqual(map.locate("m.yaml", 0, "/spec/replicas"), { line: 7, col: 3 });
    assert.deepEqual(map.locate("m.yaml", 0, "/spec/image"), { line: 4, col: 3 });
    assert.deepEqual(map.locate("m.yaml", 0, "/copy/image"), { line: 4, col: 3 });
  });

  it("gives a refused document's findings its first line rather than parsing it again", () => {
    const map = sources({ "d.yaml": `kind: A\n---\nkind: Deep\nspec: ${"[".repeat(5000)}\n` });
    assert.deepEqual(map.locate("d.yaml", 1, "/spec/0/0"), { line: 3, col: 1 });
    assert.deepEqual(map.plainScalars("d.yaml", 1), []);
  });

  it("puts a line on findings that carry only a document and a pointer", () => {
    const map = sources({ "b.yaml": binding });
    const finding: Finding = {
      severity: "error",
      rule: "binding-claim-not-offered",
      message: "the template offers no such claim",
      location: { file: "b.yaml", document: 1, pointer: "/spec/permissionClaims/1/resource" },
    };
    assert.deepEqual(map.locateFinding(finding).location, {
      ...finding.location,
      line: 19,
      col: 5,
    });
    const placed = { ...finding, location: { ...finding.location, line: 1, col: 1 } };
    assert.equal(map.locateFinding(placed), placed);
  });

  it("lists a document's plain scalars as written, with pointers and positions", () => {
    const map = sources({
      "p.yaml":
        'kind: A\n---\nkind: Job\nspec:\n  on: yes\n  mode: 0755\n  quoted: "no"\n  list: [off, 1.10]\n',
    });
    const scalars = map.plainScalars("p.yaml", 1).filter((s) => !s.key);
    assert.deepEqual(
      scalars.map((s) => [s.pointer, s.source, s.line, s.col]),
      [
        ["/kind", "Job", 3, 7],
        ["/spec/on", "yes", 5, 7],
        ["/spec/mode", "0755", 6, 9],
        ["/spec/list/0", "off", 8, 10],
        ["/spec/list/1", "1.10", 8, 15],
      ],
    );
    const keys = map.plainScalars("p.yaml", 1).filter((s) => s.key);
    assert.ok(keys.some((k) => k.source === "on" && k.pointer === "/spec/on" && k.line === 5));
  });

  it("skips parsing documents whose text cannot hold the scalars a check looks for", () => {
    const map = sources({
      "d.yaml":
        "kind: Deployment\nspec: {replicas: 2}\n---\nkind: Pod\nvolumes:\n- secret: {defaultMode: 0644}\n",
    });
    const octal = { textMatches: /\b0[0-7]+\b/ };
    assert.deepEqual(map.plainScalars("d.yaml", 0, octal), []);
    const found = map.plainScalars("d.yaml", 1, octal).filter((s) => /^0[0-7]+$/.test(s.source));
    assert.deepEqual(
      found.map((s) => [s.pointer, s.line, s.col]),
      [["/volumes/0/secret/defaultMode", 6, 25]],
    );
  });

  it("can be rebuilt from its entries, as when files were loaded in workers", () => {
    const a = sources({ "a.yaml": "kind: A\nspec: {x: 1}\n" });
    const b = sources({ "b.yaml": binding });
    const merged = new SourceMap([
      ...structuredClone([...a.entries()]),
      ...structuredClone([...b.entries()]),
    ]);
    assert.deepEqual(merged.locate("a.yaml", 0, "/spec/x"), { line: 2, col: 8 });
    assert.deepEqual(merged.locate("b.yaml", 1, "/spec/consumer"), { line: 11, col: 3 });
  });

  it("keeps only the last few documents it parsed for positions, so memory does not grow with them", () => {
    const files = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`f${i}.yaml`, `kind: A\nspec:\n  x: ${i}\n`]),
    );
    const map = sources(files);
    for (let i = 0; i < 40; i++) {
      assert.deepEqual(map.locate(`f${i}.yaml`, 0, "/spec/x"), { line: 3, col: 3 });
    }
    assert.ok(map.parsedDocuments <= 2, String(map.parsedDocuments));
    // A document asked about again after being let go is parsed again, with the same answer.
    assert.deepEqual(map.locate("f0.yaml", 0, "/spec/x"), { line: 3, col: 3 });
  });
});
