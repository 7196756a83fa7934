import assert from "node:assert/strict";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Snapshot } from "../../src/core/snapshot.js";
import { readFolderSnapshot } from "../../src/git/read-folder-snapshot.js";
import { readRevisionSnapshot } from "../../src/git/read-revision-snapshot.js";
import type { ValidateReport } from "../../src/report/validate-report.js";
import { validate } from "../../src/validate/validate.js";
import { git } from "../support/git.js";
import { repoRoot } from "../support/repo-root.js";
import { runCli } from "../support/run-cli.js";

const examples = path.join(repoRoot, "examples");
const defaultPolicies = readFolderSnapshot(path.join(repoRoot, "policies"));

/** The report without what differs between two runs of the same content: the time taken. */
function comparable(report: ValidateReport): Omit<ValidateReport, "durationMs"> {
  const { durationMs: _, ...rest } = report;
  return rest;
}

const run = async (snapshot: Snapshot) =>
  comparable(await validate(snapshot, { defaultPolicies, toolVersion: "test" }));

/** `examples/` in a new git repository, under `sub/` so that the root is not the top level. */
function exampleRepository(): { top: string; root: string } {
  const top = mkdtempSync(path.join(tmpdir(), "bindops-rev-"));
  const root = path.join(top, "sub");
  cpSync(examples, root, { recursive: true });
  git(top, "init", "-q", "-b", "main");
  return { top, root };
}

const breakBinding = (root: string, template: string) => {
  const file = path.join(root, "consumers/orders/bindings/orders-db.yaml");
  writeFileSync(file, readFileSync(file, "utf8").replace(/template: \S+/, `template: ${template}`));
};

describe("validate of a git revision", function () {
  this.timeout(60_000);
  const made: string[] = [];
  const repository = () => {
    const repo = exampleRepository();
    made.push(repo.top);
    return repo;
  };
  after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it("gives the report of the same content read from the folder", async () => {
    const { top, root } = repository();
    // Findings of several stages: a cross-reference, a syntax error, a YAML 1.1 scalar, a file
    // skipped by .bindopsignore, a link to a file inside the folder, a CRLF file with a BOM.
    breakBinding(root, "caches");
    writeFileSync(path.join(root, "consumers/orders/bindings/broken.yaml"), "kind: [unclosed\n");
    writeFileSync(
      path.join(root, "consumers/orders/bindings/extra.yaml"),
      "\uFEFFapiVersion: v1\r\nkind: ConfigMap\r\nmetadata: {name: x, namespace: orders}\r\ndata: {window: 1:20}\r\n",
    );
    mkdirSync(path.join(root, "drafts"));
    writeFileSync(path.join(root, "drafts/ignored.yaml"), "kind: [unclosed\n");
    writeFileSync(path.join(root, ".bindopsignore"), "drafts/\n");
    symlinkSync("../orders/bindings/orders-db.yaml", path.join(root, "consumers/link.yaml"));
    git(top, "add", "-A");
    git(top, "commit", "-qm", "content");

    const fromFolder = await run(readFolderSnapshot(root));
    const revision = await readRevisionSnapshot(root, "HEAD");
    assert.equal(revision.revision, git(top, "rev-parse", "HEAD").trim());
    const fromRevision = await run(revision);
    const rules = fromFolder.findings.map((f) => f.rule);
    for (const rule of ["binding-unknown-template", "yaml-syntax", "yaml11-ambiguous"]) {
      assert.ok(rules.includes(rule), `${rule} in ${rules.join(", ")}`);
    }
    assert.ok(!fromFolder.findings.some((f) => f.location.file.startsWith("drafts/")));
    assert.ok(fromFolder.findings.some((f) => f.location.file === "consumers/link.yaml"));
    assert.deepEqual(fromRevision, fromFolder);
  });

  it("reads the revision, not the work tree, and leaves the work tree alone", async () => {
    const { top, root } = repository();
    breakBinding(root, "caches");
    git(top, "add", "-A");
    git(top, "commit", "-qm", "broken");
    breakBinding(root, "databases");
    writeFileSync(path.join(root, "uncommitted.yaml"), "kind: [unclosed\n");
    const status = git(top, "status", "--porcelain");

    const atHead = await run(await readRevisionSnapshot(root, "HEAD"));
    const errors = (report: typeof atHead) => [
      ...new Set(report.findings.filter((f) => f.severity === "error").map((f) => f.rule)),
    ];
    assert.deepEqual(errors(atHead), ["binding-unknown-template"]);
    assert.deepEqual(errors(await run(readFolderSnapshot(root))), ["yaml-syntax"]);
    assert.equal(git(top, "status", "--porcelain"), status);
  });

  it("reads only the paths asked for, and refuses paths the revision lacks", async () => {
    const { top, root } = repository();
    git(top, "add", "-A");
    git(top, "commit", "-qm", "examples");
    const snapshot = await readRevisionSnapshot(root, "HEAD", { paths: ["providers"] });
    assert.ok(snapshot.files.size > 0);
    assert.ok([...snapshot.files.keys()].every((f) => f.startsWith("providers/")));
    await assert.rejects(readRevisionSnapshot(root, "HEAD", { paths: ["nowhere"] }), {
      code: "path-not-found",
    });
    await assert.rejects(readRevisionSnapshot(root, "no-such-rev"), { code: "unknown-revision" });
    await assert.rejects(readRevisionSnapshot(root, "--output=x"), { code: "invalid-revision" });
  });

  it("bindops validate --rev reports the committed content and exits as for a folder", async () => {
    const { top, root } = repository();
    git(top, "add", "-A");
    git(top, "commit", "-qm", "good");
    breakBinding(root, "caches");
    git(top, "commit", "-qam", "broken");
    breakBinding(root, "databases");

    const good = await runCli(["validate", "--rev", "HEAD~1"], { cwd: root });
    assert.equal(good.code, 0, good.stdout + good.stderr);
    const broken = await runCli(["validate", ".", "--rev", "HEAD"], { cwd: root });
    assert.equal(broken.code, 2, broken.stdout + broken.stderr);
    assert.match(
      broken.stdout,
      /^consumers\/orders\/bindings\/orders-db\.yaml:\d+:\d+: error .*caches/m,
    );
    const folder = await runCli(["validate", "."], { cwd: root });
    assert.equal(folder.code, 0, folder.stdout + folder.stderr);

    const both = await runCli(["validate", "--rev", "HEAD", "--changed-since", "HEAD"], {
      cwd: root,
    });
    assert.equal(both.code, 3);
    const unknown = await runCli(["validate", "--rev", "no-such-rev"], { cwd: root });
    assert.equal(unknown.code, 3);
    assert.match(unknown.stderr, /no-such-rev/);
    const outside = mkdtempSync(path.join(tmpdir(), "bindops-no-git-"));
    made.push(outside);
    const noGit = await runCli(["validate", "--rev", "HEAD"], { cwd: outside });
    assert.equal(noGit.code, 3, noGit.stderr);
    assert.match(noGit.stderr, /not inside a git repository/);
  });
});
