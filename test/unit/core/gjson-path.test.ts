import assert from "node:assert/strict";
import { gjsonStrings, splitGjsonPath } from "../../../src/core/gjson-path.js";

/** A referencing object as a claim's `references` read it. */
const database = {
  apiVersion: "example.com/v1",
  kind: "Database",
  metadata: {
    name: "orders",
    namespace: "team-a",
    annotations: { "example.com/secret": "annotated-creds" },
  },
  spec: {
    secretName: "  db-creds  ",
    secretNames: ["first", " second "],
    noSecrets: [],
    secretRefs: [
      { name: "ref-a", namespace: "team-a" },
      { namespace: "team-b" },
      { name: "ref-c", namespace: "team-c" },
    ],
    noRefs: [],
    nameless: [{ key: "x" }, { key: "y" }],
    port: 5432,
    tls: true,
    owner: null,
    connection: { host: "db" },
    shards: [{ secrets: ["s1", "s2"] }, { secrets: ["s3"] }],
  },
};

describe("splitGjsonPath", () => {
  it("splits at dots and keeps escaped dots inside a field", () => {
    assert.deepEqual(splitGjsonPath("spec.secretRefs.#.name"), ["spec", "secretRefs", "#", "name"]);
    assert.deepEqual(splitGjsonPath("metadata.annotations.example\\.com/secret"), [
      "metadata",
      "annotations",
      "example.com/secret",
    ]);
  });

  it("reads an escaped wildcard as a plain character", () => {
    assert.deepEqual(splitGjsonPath("spec.a\\*b"), ["spec", "a*b"]);
  });

  it("refuses wildcards, queries, modifiers and pipes", () => {
    for (const path of [
      "spec.secret*",
      "spec.secret?ame",
      "spec.refs.#(name==a)",
      "@this",
      "a|b",
    ]) {
      assert.equal(splitGjsonPath(path), undefined, path);
    }
  });

  it("refuses a `#` that is only part of a field", () => {
    assert.equal(splitGjsonPath("spec.refs#"), undefined);
    assert.equal(splitGjsonPath("spec.#refs"), undefined);
  });
});

describe("gjsonStrings", () => {
  it("reads a field behind an escaped dot, as an annotation key needs", () => {
    assert.deepEqual(gjsonStrings(database, "metadata.annotations.example\\.com/secret"), [
      "annotated-creds",
    ]);
    assert.equal(gjsonStrings(database, "metadata.annotations.example.com/secret"), undefined);
  });

  it("trims what it reads, as kube-bind does", () => {
    assert.deepEqual(gjsonStrings(database, "spec.secretName"), ["db-creds"]);
  });

  it("reads each element of a list", () => {
    assert.deepEqual(gjsonStrings(database, "spec.secretNames"), ["first", "second"]);
  });

  it("collects a field from every element of a list with `#`, skipping those without it", () => {
    assert.deepEqual(gjsonStrings(database, "spec.secretRefs.#.name"), ["ref-a", "ref-c"]);
    assert.deepEqual(gjsonStrings(database, "spec.secretRefs.#.namespace"), [
      "team-a",
      "team-b",
      "team-c",
    ]);
  });

  it("reads one element of a list by its index", () => {
    assert.deepEqual(gjsonStrings(database, "spec.secretRefs.2.name"), ["ref-c"]);
    assert.deepEqual(gjsonStrings(database, "spec.secretNames.0"), ["first"]);
    assert.equal(gjsonStrings(database, "spec.secretNames.2"), undefined);
  });

  it("reads numbers and booleans as text", () => {
    assert.deepEqual(gjsonStrings(database, "spec.port"), ["5432"]);
    assert.deepEqual(gjsonStrings(database, "spec.tls"), ["true"]);
  });

  it("finds no name in null or in a map, though the path resolves", () => {
    assert.deepEqual(gjsonStrings(database, "spec.owner"), []);
    assert.deepEqual(gjsonStrings(database, "spec.connection"), []);
  });

  it("returns undefined for a path that does not resolve", () => {
    for (const path of [
      "spec.secretNam",
      "spec.secretName.first",
      "spec.secretName.#",
      "spec.connection.#.host",
      "spec.secretName.0",
      "spec..secretName",
      "spec.secret*",
      "status.secretName",
    ]) {
      assert.equal(gjsonStrings(database, path), undefined, path);
    }
  });

  it("resolves to an empty list, not undefined, for a list with no names", () => {
    assert.deepEqual(gjsonStrings(database, "spec.noSecrets"), []);
    assert.deepEqual(gjsonStrings(database, "spec.noRefs.#.name"), []);
    assert.deepEqual(gjsonStrings(database, "spec.nameless.#.name"), []);
  });

  it("reads a final `#` as the length of the list, as gjson does, not as its elements", () => {
    assert.deepEqual(gjsonStrings(database, "spec.secretNames.#"), ["2"]);
    assert.deepEqual(gjsonStrings(database, "spec.noSecrets.#"), ["0"]);
    assert.deepEqual(gjsonStrings(database, "spec.shards.#.secrets.#"), ["2", "1"]);
  });

  it("finds no names in lists collected by `#` (gjson returns them as JSON text)", () => {
    assert.deepEqual(gjsonStrings(database, "spec.shards.#.secrets"), []);
  });

  it("does not resolve a field every JavaScript object inherits", () => {
    assert.equal(gjsonStrings(database, "spec.constructor"), undefined);
    assert.equal(gjsonStrings(database, "spec.connection.toString"), undefined);
  });
});
