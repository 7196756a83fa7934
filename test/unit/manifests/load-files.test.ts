import assert from "node:assert/strict";
import { readFiles } from "../../../src/git/read-files.js";
import { loadFiles } from "../../../src/manifests/load-files.js";
import { tempRepo } from "./temp-repo.js";

function load(files: Record<string, string | Uint8Array>) {
  const repo = tempRepo(files);
  try {
    return loadFiles(readFiles(repo.root, Object.keys(files).sort()));
  } finally {
    repo.remove();
  }
}

describe("loadFiles", () => {
  it("gives each document of a multi-document file its index and first line, with CRLF and a BOM", () => {
    const text = [
      "\uFEFF# the provider's templates",
      "apiVersion: kube-bind.io/v1alpha2",
      "kind: APIServiceExportTemplate",
      "metadata: {name: one}",
      "--- # second",
      "",
      "apiVersion: kube-bind.io/v1alpha2",
      "kind: APIServiceExportTemplate",
      "metadata: {name: two}",
      "---",
      "  apiVersion: v1",
      "  kind: ConfigMap",
      "  metadata: {name: three}",
      "",
    ].join("\r\n");
    const { documents, findings } = load({ "t.yaml": text });
    assert.deepEqual(findings, []);
    assert.deepEqual(
      documents.map((d) => [d.index, d.line, d.col, (d.value.metadata as { name: string }).name]),
      [
        [0, 2, 1, "one"],
        [1, 7, 1, "two"],
        [2, 11, 3, "three"],
      ],
    );
    // CRLF does not leak into values.
    assert.equal(documents[0]!.value.kind, "APIServiceExportTemplate");
  });

  it("skips empty files and empty documents, keeping indexes as positions in the file", () => {
    const { documents, findings } = load({
      "empty.yaml": "",
      "comments.yaml": "# nothing here yet\n\n",
      "gaps.yaml":
        "---\n---\n# only a comment\n---\nkind: A\n---\n~\n---\nkind: B\n...\n# trailer\n",
      "empty.json": "  \n",
    });
    assert.deepEqual(findings, []);
    assert.deepEqual(
      documents.map((d) => [d.file, d.index, d.line, d.value.kind]),
      [
        ["gaps.yaml", 2, 5, "A"],
        ["gaps.yaml", 4, 9, "B"],
      ],
    );
  });

  it("starts a new document after `...` and keeps directives with the document they introduce", () => {
    const { documents, findings } = load({
      "d.yaml": "kind: A\n...\n%YAML 1.2\n---\nkind: B\n...\nkind: C\n",
    });
    assert.deepEqual(findings, []);
    assert.deepEqual(
      documents.map((d) => [d.index, d.line, d.value.kind]),
      [
        [0, 1, "A"],
        [1, 5, "B"],
        [2, 7, "C"],
      ],
    );
  });

  it("does not split at `---` inside a block scalar or a quoted string that is indented", () => {
    const text =
      "kind: A\ndata:\n  script: |\n    echo start\n    ---\n    echo end\n  quoted: 'a\n    --- b'\n";
    const { documents, findings } = load({ "s.yaml": text });
    assert.deepEqual(findings, []);
    assert.equal(documents.length, 1);
    assert.equal(
      (documents[0]!.value.data as { script: string }).script,
      "echo start\n---\necho end\n",
    );
  });

  it("reads YAML 1.2 core scalars: yes/on stay strings, 017 is decimal, no timestamps", () => {
    const { documents } = load({
      "v.yaml":
        "kind: A\nyes: yes\non: on\noctal: 017\nhex: 0x1f\nstamp: 2024-01-02T03:04:05Z\nt: True\nn: ~\nv: 1.10\n",
    });
    assert.deepEqual(documents[0]!.value, {
      kind: "A",
      yes: "yes",
      on: "on",
      octal: 17,
      hex: 31,
      stamp: "2024-01-02T03:04:05Z",
      t: true,
      n: null,
      v: 1.1,
    });
  });

  it("honours `<<` merge keys as kubectl does, and unshares aliased values", () => {
    const { documents, findings } = load({
      "m.yaml":
        "kind: A\nbase: &labels {team: a, tier: web}\nfront:\n  <<: *labels\n  tier: edge\nback: *labels\n",
    });
    assert.deepEqual(findings, []);
    const value = documents[0]!.value as Record<string, Record<string, string>>;
    assert.deepEqual(value.front, { team: "a", tier: "edge" });
    // A consumer that changes one place must not change every place the alias pointed at.
    value.back!.team = "changed";
    assert.equal(value.base!.team, "a");
  });

  it("accepts a large document that uses a few aliases", () => {
    const items = Array.from({ length: 3000 }, (_, i) => `  - {name: item-${i}, labels: *l}`);
    const { documents, findings } = load({
      "big.yaml": `kind: A\nl: &l {a: b}\nitems:\n${items.join("\n")}\n`,
    });
    assert.deepEqual(findings, []);
    assert.equal((documents[0]!.value.items as unknown[]).length, 3000);
  });

  it("loads a JSON file as one document, a BOM and its position included", () => {
    const { documents, findings } = load({
      "cm.json": '\uFEFF\n  {"apiVersion": "v1", "kind": "ConfigMap"}\n',
    });
    assert.deepEqual(findings, []);
    assert.deepEqual(
      documents.map((d) => [d.file, d.index, d.line, d.col, d.value.kind]),
      [["cm.json", 0, 2, 3, "ConfigMap"]],
    );
  });

  it("keeps `__proto__` as an ordinary key", () => {
    const { documents } = load({ "p.yaml": "kind: A\n__proto__: {polluted: true}\n" });
    const value = documents[0]!.value;
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.deepEqual(Object.keys(value), ["kind", "__proto__"]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it("returns documents in the order of the files given", () => {
    const { documents } = load({ "b.yaml": "kind: B\n", "a.yaml": "kind: A\n---\nkind: A2\n" });
    assert.deepEqual(
      documents.map((d) => d.value.kind),
      ["A", "A2", "B"],
    );
  });

  it("stops when the signal is aborted", () => {
    const repo = tempRepo({ "a.yaml": "kind: A\n" });
    try {
      assert.throws(
        () => loadFiles(readFiles(repo.root, ["a.yaml"]), { signal: AbortSignal.abort() }),
        {
          name: "AbortError",
        },
      );
    } finally {
      repo.remove();
    }
  });
});
