import assert from "node:assert/strict";
import { renderJunit } from "../../../src/report/render-junit.js";
import { approval, denied, fileLevel, report, schemaError } from "./fixtures.js";
import type { XmlElement } from "./xml-tree.js";
import { findAll, parseXml } from "./xml-tree.js";

const inventory = [
  {
    file: "consumers/c/bindings/orders.yaml",
    documents: [
      { index: 0, kind: "ServiceBinding", name: "orders-db" },
      { index: 1, kind: "ServiceBinding", name: "orders-cache" },
    ],
  },
  { file: "a/first.yaml", documents: [{ index: 0 }, { index: 1, kind: "ConfigMap", name: "x" }] },
  { file: "empty.yaml", documents: [] },
];

function suite(root: XmlElement, name: string): XmlElement {
  const found = findAll(root, "testsuite").find((s) => s.attributes.name === name);
  assert.ok(found, `no testsuite ${name}`);
  return found;
}

describe("renderJunit", () => {
  it("writes a testsuite per file and a testcase per document, with correct counts", () => {
    const root = parseXml(
      renderJunit(report([denied, approval, schemaError, fileLevel], { inventory })),
    );
    assert.equal(root.name, "testsuites");
    assert.deepEqual(
      findAll(root, "testsuite").map((s) => s.attributes.name),
      ["a/first.yaml", "broken.yaml", "consumers/c/bindings/orders.yaml", "empty.yaml"],
    );
    // 2 + 1 (file-level) + 2 + 0 test cases; failed: a/first.yaml#0, broken.yaml, orders.yaml#1.
    assert.equal(root.attributes.tests, "5");
    assert.equal(root.attributes.failures, "3");

    const orders = suite(root, "consumers/c/bindings/orders.yaml");
    assert.deepEqual(
      { tests: orders.attributes.tests, failures: orders.attributes.failures },
      { tests: "2", failures: "1" },
    );
    const [db, cache] = findAll(orders, "testcase");
    assert.equal(db?.attributes.name, "ServiceBinding/orders-db");
    assert.equal(db?.attributes.classname, "consumers/c/bindings/orders.yaml");
    // A warning does not fail its test case; it is reported as output.
    assert.deepEqual(findAll(db, "failure"), []);
    assert.equal(
      findAll(db, "system-out")[0]?.text,
      "consumers/c/bindings/orders.yaml:3:3: warning [policy-requires-approval] claim on configmaps needs approval (at /spec/permissionClaims/2)",
    );
    assert.equal(cache?.attributes.name, "ServiceBinding/orders-cache");
    const [failure] = findAll(cache, "failure");
    assert.deepEqual(failure?.attributes, {
      message: "claim on secrets (selector: MatchAll) is denied",
      type: "policy-denied",
    });
    assert.equal(
      failure?.text,
      "consumers/c/bindings/orders.yaml:12:5: error [policy-denied] claim on secrets (selector: MatchAll) is denied (at /spec/permissionClaims/0)",
    );

    const first = suite(root, "a/first.yaml");
    assert.deepEqual(
      findAll(first, "testcase").map((c) => [c.attributes.name, findAll(c, "failure").length]),
      [
        ["document 1", 1],
        ["ConfigMap/x", 0],
      ],
    );

    const broken = suite(root, "broken.yaml");
    assert.deepEqual(
      findAll(broken, "testcase").map((c) => c.attributes.name),
      ["(file)"],
    );
    assert.equal(broken.attributes.failures, "1");
    assert.equal(suite(root, "empty.yaml").attributes.tests, "0");
  });

  it("puts one failure per error in a test case and counts the case once", () => {
    const second = { ...denied, message: "another", location: { ...denied.location, line: 20 } };
    const root = parseXml(renderJunit(report([denied, second])));
    const cases = findAll(root, "testcase");
    assert.equal(cases.length, 1);
    assert.equal(findAll(cases[0]!, "failure").length, 2);
    assert.deepEqual([root.attributes.tests, root.attributes.failures], ["1", "1"]);
  });

  it("lists documents with findings when there is no inventory", () => {
    const root = parseXml(renderJunit(report([denied])));
    const cases = findAll(root, "testcase");
    assert.deepEqual(
      cases.map((c) => c.attributes.name),
      ["document 2"],
    );
  });

  it("tells apart documents that share a kind and name", () => {
    const root = parseXml(
      renderJunit(
        report([], {
          inventory: [
            {
              file: "d.yaml",
              documents: [
                { index: 0, kind: "Secret", name: "s" },
                { index: 2, kind: "Secret", name: "s" },
              ],
            },
          ],
        }),
      ),
    );
    assert.deepEqual(
      findAll(root, "testcase").map((c) => c.attributes.name),
      ["Secret/s (document 1)", "Secret/s (document 3)"],
    );
  });

  it("escapes markup, quotes and line breaks, and replaces characters XML cannot carry", () => {
    const message = `a <b> & "c" 'd'\nline two\r\u0000\u0007\u001b end`;
    const output = renderJunit(
      report([
        {
          ...denied,
          message,
          rule: `r"<&'`,
          location: { file: `we<ird>&"file'.yaml`, document: 0, line: 1, col: 1 },
        },
        { ...approval, message, location: { file: `we<ird>&"file'.yaml`, document: 0 } },
      ]),
    );
    assert.deepEqual(
      [...output].filter((c) => c.charCodeAt(0) < 0x20 && !"\t\n\r".includes(c)),
      [],
    );
    const root = parseXml(output);
    const [testSuite] = findAll(root, "testsuite");
    assert.equal(testSuite?.attributes.name, `we<ird>&"file'.yaml`);
    const [failure] = findAll(root, "failure");
    const visible = `a <b> & "c" 'd'\nline two\r\\u0000\\u0007\\u001b end`;
    assert.equal(failure?.attributes.message, visible);
    assert.equal(failure?.attributes.type, `r"<&'`);
    assert.ok(failure?.text.includes(visible), failure?.text);
    assert.ok(findAll(root, "system-out")[0]?.text.includes(visible));
  });

  it("writes an empty report", () => {
    const output = renderJunit(report([]));
    assert.equal(
      output,
      '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="bindops validate" tests="0" failures="0" errors="0">\n</testsuites>\n',
    );
    parseXml(output);
  });

  it("gives the total time when the report has a duration", () => {
    const root = parseXml(renderJunit(report([], { durationMs: 1234 })));
    assert.equal(root.attributes.time, "1.234");
  });
});
