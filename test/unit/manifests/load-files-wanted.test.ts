import assert from "node:assert/strict";
import { loadFiles } from "../../../src/manifests/load-files.js";

const encode = (text: string) => new TextEncoder().encode(text);

describe("loadFiles with wanted", () => {
  it("parses only the documents whose text is wanted, keeping indexes and positions", () => {
    const text = [
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata: {name: skipped}",
      "data: {broken: [}",
      "---",
      "apiVersion: bindops.dev/v1alpha1",
      "kind: ServiceBinding",
      "metadata: {name: kept}",
      "spec:",
      "  consumer: consumer",
      "",
    ].join("\n");
    const files = new Map([["b.yaml", encode(text)]]);
    const loaded = loadFiles(files, { wanted: (t) => t.includes("ServiceBinding") });
    // The unwanted document is not parsed: its syntax error is not found either.
    assert.deepEqual(loaded.findings, []);
    assert.deepEqual(
      loaded.documents.map((d) => [d.index, d.line, (d.value.metadata as { name: string }).name]),
      [[1, 6, "kept"]],
    );
    assert.deepEqual(loaded.sources.locate("b.yaml", 1, "/spec/consumer"), { line: 10, col: 3 });
    assert.equal(loadFiles(files).findings.length, 1);
  });

  it("skips a JSON file whose text is not wanted", () => {
    const files = new Map([["c.json", encode('{"apiVersion": "v1", "kind": "ConfigMap"}')]]);
    assert.deepEqual(loadFiles(files, { wanted: () => false }).documents, []);
  });
});
