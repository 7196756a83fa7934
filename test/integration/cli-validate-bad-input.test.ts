import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runCli } from "../support/run-cli.js";

interface JsonFinding {
  severity: string;
  rule: string;
  file: string;
  line: number;
}

/**
 * One repository holding every kind of hostile or broken file at once: `validate` must report
 * each with its file and line, exit 2, and never crash (exit 70) or hang.
 */
describe("bindops validate on hostile input (whole process)", function () {
  this.timeout(60_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "bindops-hostile-"));
    const write = (name: string, content: string | Buffer) =>
      writeFileSync(path.join(dir, name), content);
    write("syntax.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a\n");
    write("tabs.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: a\n");
    write("duplicate.yaml", "apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata: {name: a}\n");
    write(
      "latin1.yaml",
      Buffer.concat([
        Buffer.from("apiVersion: v1\ndata:\n  a: caf"),
        Buffer.from([0xe9]),
        Buffer.from("\n"),
      ]),
    );
    write("binary.yaml", Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 3]));
    write("list.yaml", "- a\n- b\n");
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      laughs.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(",")}]`);
    }
    write("laughs.yaml", laughs.join("\n") + "\n");
    write("deep.yaml", "[".repeat(100_000) + "]".repeat(100_000) + "\n");
    // 50 MB of plausible YAML, written in chunks.
    const fd = openSync(path.join(dir, "huge.yaml"), "w");
    const line = Buffer.from("- " + "x".repeat(1021) + "\n");
    const chunk = Buffer.concat(Array<Buffer>(1024).fill(line));
    for (let i = 0; i < 50; i++) writeSync(fd, chunk);
    closeSync(fd);
    // Accepted as ordinary input: BOM, CRLF, empty files and empty documents.
    write(
      "bom-crlf.yaml",
      "\ufeffapiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: ok\r\n---\r\n---\r\n",
    );
    write("empty.yaml", "");
    // A named pipe nobody writes to: opening it for reading would wait forever.
    execFileSync("mkfifo", [path.join(dir, "pipe.yaml")]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("reports every bad file with its line, accepts the good ones, and exits 2", async () => {
    const result = await runCli(["validate", ".", "-o", "json", "--ignore-unknown-kinds"], {
      cwd: dir,
    });
    assert.equal(result.code, 2, result.stderr);
    const { findings } = JSON.parse(result.stdout) as { findings: JsonFinding[] };
    const ruleOf = (file: string) =>
      findings.filter((f) => f.file === file && f.severity === "error").map((f) => f.rule);
    assert.deepEqual(ruleOf("syntax.yaml"), ["yaml-syntax"]);
    assert.deepEqual(ruleOf("tabs.yaml"), ["yaml-tab-indent"]);
    assert.deepEqual(ruleOf("duplicate.yaml"), ["yaml-duplicate-key"]);
    assert.deepEqual(ruleOf("latin1.yaml"), ["not-utf8"]);
    assert.deepEqual(ruleOf("binary.yaml"), ["binary-file"]);
    assert.deepEqual(ruleOf("list.yaml"), ["not-a-mapping"]);
    assert.deepEqual(ruleOf("laughs.yaml"), ["yaml-alias-limit"]);
    assert.deepEqual(ruleOf("deep.yaml"), ["yaml-nesting-limit"]);
    assert.deepEqual(ruleOf("huge.yaml"), ["file-too-large"]);
    assert.deepEqual(ruleOf("bom-crlf.yaml"), []);
    assert.deepEqual(ruleOf("empty.yaml"), []);
    assert.deepEqual(ruleOf("pipe.yaml"), ["unreadable-file"]);
    for (const f of findings) assert.ok(f.line >= 1, `${f.file} ${f.rule} has a line`);
    assert.equal(findings.find((f) => f.file === "tabs.yaml")?.line, 4);
    assert.equal(findings.find((f) => f.file === "duplicate.yaml")?.line, 3);
    assert.equal(findings.find((f) => f.file === "latin1.yaml")?.line, 3);
  });

  it("prints the findings as text with file:line:col, and no stack trace", async () => {
    const result = await runCli(["validate", "."], { cwd: dir });
    assert.equal(result.code, 2);
    assert.match(result.stdout, /^tabs\.yaml:4:\d+: error \[yaml-tab-indent\]/m);
    assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at .+:\d+:\d+\)/);
  });

  it("refuses a named pipe or a device given as the path, rather than finding no problems", async () => {
    for (const given of ["pipe.yaml", "/dev/null"]) {
      const result = await runCli(["validate", given], { cwd: dir });
      assert.equal(result.code, 2, `${given}: ${result.stdout}${result.stderr}`);
      assert.match(result.stdout, /error \[unreadable-file\] not a regular file but a/);
    }
  });
});
