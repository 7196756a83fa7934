import assert from "node:assert/strict";
import { truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Finding } from "../../../src/core/finding.js";
import { readFiles } from "../../../src/git/read-files.js";
import { loadFiles, type LoadResult } from "../../../src/manifests/load-files.js";
import { tempRepo } from "./temp-repo.js";

const good = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine}\n";

/** Loads `bad` next to two good files and checks the good ones still load. */
function loadBeside(
  name: string,
  bad: string | Uint8Array,
  options = {},
): LoadResult & { finding: Finding } {
  const repo = tempRepo({ "a-good.yaml": good, [name]: bad, "z-good.yaml": good });
  try {
    const result = loadFiles(
      readFiles(repo.root, ["a-good.yaml", name, "z-good.yaml"], options),
      options,
    );
    assert.deepEqual(
      result.documents.filter((d) => d.file !== name).map((d) => d.file),
      ["a-good.yaml", "z-good.yaml"],
      "the files around the bad one still load",
    );
    assert.equal(result.findings.length, 1, JSON.stringify(result.findings));
    const finding = result.findings[0]!;
    assert.equal(finding.severity, "error");
    assert.equal(finding.location.file, name);
    return { ...result, finding };
  } finally {
    repo.remove();
  }
}

describe("loading bad input gives findings, never a crash", () => {
  it("a syntax error is yaml-syntax at its line, and the file's other documents still load", () => {
    const text = `${good}---\nkind: Broken\nspec: {a: [1, 2}\n---\n${good}`;
    const { finding, documents } = loadBeside("bad.yaml", text);
    assert.equal(finding.rule, "yaml-syntax");
    assert.equal(finding.location.line, 6);
    assert.equal(finding.location.document, 1);
    assert.deepEqual(
      documents.filter((d) => d.file === "bad.yaml").map((d) => [d.index, d.line]),
      [
        [0, 1],
        [2, 8],
      ],
    );
  });

  it("an unclosed flow collection is yaml-syntax", () => {
    const { finding } = loadBeside("bad.yaml", "kind: A\nspec: {a: 1\n");
    assert.equal(finding.rule, "yaml-syntax");
    assert.ok((finding.location.line ?? 0) >= 2);
  });

  it("a tab used as indentation is yaml-tab-indent at its line", () => {
    const { finding } = loadBeside("tabs.yaml", "kind: A\nspec:\n  a: 1\n\tb: 2\n");
    assert.equal(finding.rule, "yaml-tab-indent");
    assert.equal(finding.location.line, 4);
  });

  it("a tab after spaces in the indentation is yaml-tab-indent too", () => {
    const { finding } = loadBeside("tabs.yaml", "kind: A\nspec:\n  a: 1\n \tb: 2\n");
    assert.equal(finding.rule, "yaml-tab-indent");
    assert.equal(finding.location.line, 4);
  });

  it("a duplicate key is yaml-duplicate-key naming the key, at the second occurrence", () => {
    const text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n";
    const { finding } = loadBeside("dup.yaml", text);
    assert.equal(finding.rule, "yaml-duplicate-key");
    assert.equal(finding.location.line, 5);
    assert.match(finding.message, /"name"/);
  });

  it("a duplicate key in a flow mapping is found as well", () => {
    const { finding } = loadBeside("dup.yaml", "kind: A\nspec: {x: 1, y: 2, x: 3}\n");
    assert.equal(finding.rule, "yaml-duplicate-key");
    assert.equal(finding.location.line, 2);
  });

  it("bytes that are not UTF-8 are not-utf8 at the line of the first bad byte", () => {
    const bytes = Buffer.concat([
      Buffer.from("kind: A\nmetadata:\n  name: caf"),
      Buffer.from([0xe9]), // Latin-1 é
      Buffer.from("\n"),
    ]);
    const { finding } = loadBeside("latin1.yaml", bytes);
    assert.equal(finding.rule, "not-utf8");
    assert.equal(finding.location.line, 3);
    assert.equal(finding.location.col, 12);
  });

  it("a UTF-16 file is not-utf8 with a hint, not binary", () => {
    const { finding } = loadBeside("utf16.yaml", Buffer.from("\uFEFFkind: A\n", "utf16le"));
    assert.equal(finding.rule, "not-utf8");
    assert.match(finding.message, /UTF-16/);
  });

  it("a binary file with a .yaml name is binary-file", () => {
    const bytes = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
    const { finding } = loadBeside("logo.yaml", bytes);
    assert.equal(finding.rule, "binary-file");
    assert.equal(finding.location.line, 3);
  });

  it("a list or a scalar where an object belongs is not-a-mapping, pointing at the document", () => {
    const repo = tempRepo({ "a.yaml": `${good}---\n# items\n- a\n- b\n---\njust text\n` });
    try {
      const { findings, documents } = loadFiles(readFiles(repo.root, ["a.yaml"]));
      assert.deepEqual(
        findings.map((f) => [f.rule, f.location.document, f.location.line]),
        [
          ["not-a-mapping", 1, 6],
          ["not-a-mapping", 2, 9],
        ],
      );
      assert.deepEqual(
        documents.map((d) => d.index),
        [0],
      );
    } finally {
      repo.remove();
    }
  });

  it("a billion-laughs document is yaml-alias-limit, quickly and without expanding it", function () {
    this.timeout(2000);
    let text = "kind: Bomb\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    for (let i = 1; i < 40; i++) {
      text += `a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(", ")}]\n`;
    }
    const { finding, documents } = loadBeside("bomb.yaml", text);
    assert.equal(finding.rule, "yaml-alias-limit");
    assert.equal(finding.location.line, 1);
    assert.equal(documents.length, 2);
  });

  it("`<<` merges that copy too many keys are yaml-alias-limit", function () {
    this.timeout(2000);
    const keys = Array.from({ length: 200 }, (_, i) => `k${i}: ${i}`).join(", ");
    let text = `kind: Bomb\nbase: &b {${keys}}\n`;
    for (let i = 0; i < 100; i++) text += `m${i}: {<<: *b}\n`;
    const { finding } = loadBeside("merge-bomb.yaml", text);
    assert.equal(finding.rule, "yaml-alias-limit");
  });

  it("an alias inside its own anchor (an infinite document) is yaml-alias-limit", () => {
    const { finding } = loadBeside("cycle.yaml", "kind: Loop\nspec: &s {self: *s}\n");
    assert.equal(finding.rule, "yaml-alias-limit");
    assert.match(finding.message, /contains it/);
  });

  it("100,000 nested brackets are yaml-nesting-limit, not a stack overflow", () => {
    const { finding } = loadBeside("deep.yaml", `kind: Deep\nspec: ${"[".repeat(100_000)}\n`);
    assert.equal(finding.rule, "yaml-nesting-limit");
    assert.equal(finding.location.line, 2);
  });

  it("deep block nesting is yaml-nesting-limit too", () => {
    const lines = Array.from({ length: 150 }, (_, i) => `${"  ".repeat(i)}k${i}:`);
    const { finding } = loadBeside("deep.yaml", `kind: Deep\n${lines.join("\n")} x\n`);
    assert.equal(finding.rule, "yaml-nesting-limit");
  });

  it("deep nesting reached through aliases is yaml-nesting-limit", () => {
    // Each part is 60 levels deep, within the limit; the alias puts one inside the other.
    const open = (n: number) => "{a: ".repeat(n);
    const close = (n: number) => "}".repeat(n);
    const text = `kind: Deep\nx: &x ${open(60)}1${close(60)}\ny: ${open(60)}*x${close(60)}\n`;
    const { finding } = loadBeside("deep.yaml", text);
    assert.equal(finding.rule, "yaml-nesting-limit");
  });

  it("deeply nested JSON is yaml-nesting-limit, although JSON.parse accepts it", () => {
    const { finding } = loadBeside(
      "deep.json",
      `{"kind": "Deep", "spec": ${"[".repeat(100_000)}${"]".repeat(100_000)}}`,
    );
    assert.equal(finding.rule, "yaml-nesting-limit");
  });

  it("a file of endless `---` separators is yaml-document-limit, without a chunk for each", () => {
    const { finding, documents } = loadBeside("separators.yaml", "---\n".repeat(500_000));
    assert.equal(finding.rule, "yaml-document-limit");
    assert.equal(finding.location.line, 100_001);
    assert.equal(documents.length, 2);
  });

  it("a 50 MB file is file-too-large, reported from its size without reading it", () => {
    const repo = tempRepo({ "good.yaml": good, "huge.yaml": "" });
    try {
      truncateSync(join(repo.root, "huge.yaml"), 50 * 1024 * 1024); // sparse: size without content
      const { findings, documents } = loadFiles(readFiles(repo.root, ["good.yaml", "huge.yaml"]));
      assert.deepEqual(
        findings.map((f) => [f.rule, f.location.file]),
        [["file-too-large", "huge.yaml"]],
      );
      assert.match(findings[0]!.message, /50\.0 MiB.*8\.0 MiB/);
      assert.equal(documents.length, 1);
    } finally {
      repo.remove();
    }
  });

  it("the size cap is configurable", () => {
    const { finding } = loadBeside("big.yaml", `kind: A\ndata: {x: "${"x".repeat(4000)}"}\n`, {
      maxFileBytes: 1024,
    });
    assert.equal(finding.rule, "file-too-large");
  });

  it("invalid JSON is json-syntax at the line of the error", () => {
    const { finding } = loadBeside("bad.json", '{\n  "kind": "A",\n  "spec": {"a": 1,}\n}\n');
    assert.equal(finding.rule, "json-syntax");
    assert.equal(finding.location.line, 3);
    assert.equal(finding.location.col, 19);
  });

  it("a key twice in one JSON object is json-duplicate-key at the second, as in YAML", () => {
    const text = [
      "{",
      '  "apiVersion": "v1", "kind": "ConfigMap",',
      '  "metadata": {"name": "a", "labels": {"name": "x"}},',
      '  "data": {"k": "{\\"k\\": 1, \\"k\\": 2}", "other": {"k": 1}},',
      '  "metadata": {"n\\u0061me": "b"}',
      "}",
      "",
    ].join("\n");
    const { finding, documents } = loadBeside("dup.json", text);
    assert.equal(finding.rule, "json-duplicate-key");
    assert.match(finding.message, /"metadata"/);
    assert.deepEqual([finding.location.line, finding.location.col], [5, 3]);
    assert.equal(documents.filter((d) => d.file === "dup.json").length, 0);
    const nested = loadBeside("nested.json", '{"kind": "A", "spec": {"a": 1,\n "a": 2}}\n');
    assert.deepEqual([nested.finding.location.line, nested.finding.location.col], [2, 2]);
    assert.match(nested.finding.message, /"a"/);
  });

  it("an unknown tag or an undefined alias is yaml-syntax at the tag or alias itself", () => {
    for (const [value, col] of [
      ["!Ref bucket", 7],
      ["!Sub\n  - a", 7],
      ["  !GetAtt [a, b]", 9],
      ["!<tag:example.com,2024:x> 1", 7],
      ["{a: !Ref b}", 11],
      ["*nowhere", 7],
      ["[a, *nowhere]", 11],
    ] as const) {
      const { finding } = loadBeside("tags.yaml", `kind: A\nspec: ${value}\n`);
      assert.equal(finding.rule, "yaml-syntax", value);
      assert.match(finding.message, /unknown tag|unidentified alias/, value);
      assert.deepEqual([finding.location.line, finding.location.col], [2, col], value);
    }
  });

  it("!!binary is YAML, read as the base64 text that JSON holds bytes as", () => {
    const repo = tempRepo({
      "s.yaml": "kind: Secret\ndata:\n  a: !!binary aGVs\n    bG8=\n  b: !!binary |\n    aGk=\n",
    });
    try {
      const { documents, findings } = loadFiles(readFiles(repo.root, ["s.yaml"]));
      assert.deepEqual(findings, []);
      assert.deepEqual(documents[0]?.value.data, { a: "aGVsbG8=", b: "aGk=" });
    } finally {
      repo.remove();
    }
    const { finding } = loadBeside(
      "bad-binary.yaml",
      "kind: Secret\ndata:\n  a: !!binary not*base64\n",
    );
    assert.equal(finding.rule, "yaml-syntax");
    assert.equal(finding.location.line, 3);
  });

  it("a file that vanished between listing and loading is unreadable-file", () => {
    const repo = tempRepo({ "good.yaml": good });
    try {
      const { findings, documents } = loadFiles(readFiles(repo.root, ["gone.yaml", "good.yaml"]));
      assert.deepEqual(
        findings.map((f) => [f.rule, f.location.file]),
        [["unreadable-file", "gone.yaml"]],
      );
      assert.equal(documents.length, 1);
    } finally {
      repo.remove();
    }
  });

  it("a directory with a .yaml name is unreadable-file, not a crash", () => {
    const repo = tempRepo({ "dir.yaml/x.txt": "x" });
    try {
      writeFileSync(join(repo.root, "good.yaml"), good);
      const { findings } = loadFiles(readFiles(repo.root, ["dir.yaml", "good.yaml"]));
      assert.deepEqual(
        findings.map((f) => f.rule),
        ["unreadable-file"],
      );
    } finally {
      repo.remove();
    }
  });
});
