import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { repoRoot } from "../support/repo-root.js";
import { runCli } from "../support/run-cli.js";

const version = (
  JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string }
).version;

describe("the bindops command line", function () {
  this.timeout(30_000);

  it("--help lists the commands and the exit codes, exit 0", async () => {
    const result = await runCli(["--help"]);
    assert.equal(result.code, 0);
    for (const command of ["validate", "crds", "dev", "demo"]) {
      assert.match(result.stdout, new RegExp(`^  ${command}\\b`, "m"));
    }
    assert.match(result.stdout, /^ {2}4 {3}git, cluster or GitHub unreachable/m);
  });

  it("<command> --help explains the command's options", async () => {
    const result = await runCli(["validate", "--help"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /--changed-since <rev>/);
    assert.match(result.stdout, /-o, --output <format>/);
    assert.match(result.stdout, /Examples:/);
  });

  it("--version prints the package version", async () => {
    const result = await runCli(["--version"]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout.trim(), version);
  });

  it("an unknown command or option is a usage error, exit 3, with a pointer to --help", async () => {
    const command = await runCli(["deploy"]);
    assert.equal(command.code, 3);
    assert.match(command.stderr, /unknown command 'deploy'/);
    assert.match(command.stderr, /--help/);
    const option = await runCli(["validate", "--frobnicate"]);
    assert.equal(option.code, 3);
    assert.match(option.stderr, /unknown option '--frobnicate'/);
  });

  it("no command at all prints the help and is a usage error, exit 3", async () => {
    for (const args of [[], ["dev"]]) {
      const result = await runCli(args);
      assert.equal(result.code, 3);
      assert.match(result.stderr, /^Usage: bindops/);
    }
  });

  it("with --log-format json an error is one JSON record with its code and exit code", async () => {
    const result = await runCli(["--log-format", "json", "validate", "does/not/exist"]);
    assert.equal(result.code, 3);
    const record = JSON.parse(result.stderr.trim()) as Record<string, unknown>;
    assert.equal(record.level, 50);
    assert.equal(record.code, "path-not-found");
    assert.equal(record.exitCode, 3);
    assert.match(String(record.msg), /does not exist/);
  });

  it("errors are one line without a stack trace, unless --debug", async () => {
    const plain = await runCli(["validate", "does/not/exist"]);
    assert.equal(plain.code, 3);
    assert.equal(plain.stderr.trim().split("\n").length, 1, plain.stderr);
    assert.match(plain.stderr, /^error: .*does not exist/);
    const debug = await runCli(["--debug", "validate", "does/not/exist"]);
    assert.equal(debug.code, 3);
    assert.match(debug.stderr, /\n\s+at .+\.js:\d+:\d+/);
  });

  it("--log-format json writes log lines as JSON on stderr, keeping stdout for output", async () => {
    const result = await runCli([
      "--log-format",
      "json",
      "--log-level",
      "debug",
      "validate",
      "examples",
      "-o",
      "json",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { version: number }).version, 1);
    const lines = result.stderr.split("\n").filter(Boolean);
    assert.ok(lines.length > 0, "debug logs were written");
    const records = lines.map((line) => JSON.parse(line) as { level: number; msg: string });
    assert.ok(records.some((r) => r.msg === "validated" && r.level === 20));
  });

  it("`bindops crds` prints a YAML stream of CRDs for kube-bind's kinds", async () => {
    const result = await runCli(["crds"]);
    assert.equal(result.code, 0);
    const crds = parseAllDocuments(result.stdout).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string } },
    );
    assert.ok(crds.length >= 7);
    assert.ok(crds.every((c) => c.kind === "CustomResourceDefinition"));
    const names = crds.map((c) => c.metadata.name);
    for (const name of [
      "apiserviceexporttemplates.kube-bind.io",
      "apiserviceexportrequests.kube-bind.io",
      "boundschemas.kube-bind.io",
    ]) {
      assert.ok(names.includes(name), name);
    }
  });

  it("a closed stdout pipe is not an error", async () => {
    const { spawnSync } = await import("node:child_process");
    const result = spawnSync(
      "bash",
      [
        "-c",
        `set -o pipefail; node ${JSON.stringify(path.join(repoRoot, "dist/cli/main.js"))} crds | head -1`,
      ],
      {
        encoding: "utf8",
      },
    );
    assert.equal(result.status, 0);
    assert.equal(result.stderr, "");
    assert.equal(result.stdout.trim(), "---");
  });
});
