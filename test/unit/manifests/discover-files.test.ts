import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BindopsError } from "../../../src/core/errors.js";
import { discoverFiles } from "../../../src/git/discover-files.js";
import { readFiles } from "../../../src/git/read-files.js";
import { tempRepo } from "./temp-repo.js";

const m = "kind: A\n";

describe("discoverFiles", () => {
  let repo: ReturnType<typeof tempRepo>;
  afterEach(() => repo.remove());

  it("lists .yaml, .yml and .json files, sorted, with forward slashes, skipping .git and node_modules", () => {
    repo = tempRepo({
      "bindops.yaml": m,
      "providers/p/crds/b.yml": m,
      "providers/p/crds/a.json": "{}",
      "providers/p/README.md": "# no",
      "consumers/c/bindings/x.yaml": m,
      ".git/config.yaml": m,
      "node_modules/pkg/x.yaml": m,
      "consumers/node_modules/y.yaml": m,
    });
    const { files, findings } = discoverFiles(repo.root, []);
    assert.deepEqual(files, [
      "bindops.yaml",
      "consumers/c/bindings/x.yaml",
      "providers/p/crds/a.json",
      "providers/p/crds/b.yml",
    ]);
    assert.deepEqual(findings, []);
  });

  it("skips what .bindopsignore and --exclude patterns match, in gitignore syntax", () => {
    repo = tempRepo({
      ".bindopsignore": "# drafts are not applied\ndrafts/\n*.tmp.yaml\n!keep.tmp.yaml\n",
      "a.yaml": m,
      "x.tmp.yaml": m,
      "keep.tmp.yaml": m,
      "drafts/d.yaml": m,
      "consumers/drafts/e.yaml": m,
      "status/s.yaml": m,
      "examples/one/e.yaml": m,
    });
    const { files } = discoverFiles(repo.root, [], { exclude: ["status/", "examples/**/e.yaml"] });
    assert.deepEqual(files, ["a.yaml", "keep.tmp.yaml"]);
  });

  it("refuses to let .bindopsignore or --exclude hide bindops.yaml or the policies folder", () => {
    const repository = "kind: Repository\nspec:\n  paths:\n    policies: ./rules/\n";
    for (const [ignoreFile, hidden] of [
      ["policies/\n", undefined], // not the policies folder of this repository
      ["rules/\n", "rules/"],
      ["rules/*.yaml\n", "rules/deny.yaml"],
      ["*.yaml\n!rules/**\n", "bindops.yaml"],
    ] as const) {
      repo = tempRepo({
        ".bindopsignore": ignoreFile,
        "bindops.yaml": repository,
        "rules/deny.yaml": m,
      });
      const { findings } = discoverFiles(repo.root, []);
      assert.deepEqual(
        findings.map((f) => [f.rule, f.location.file, f.severity]),
        hidden === undefined ? [] : [["ignore-hides-policies", ".bindopsignore", "error"]],
        ignoreFile,
      );
      if (hidden !== undefined) assert.match(findings[0]!.message, new RegExp(`matches ${hidden}`));
      assert.throws(
        () => discoverFiles(repo.root, [], { exclude: ["rules"] }),
        (error: unknown) =>
          error instanceof BindopsError &&
          error.code === "exclude-hides-policies" &&
          error.exitCode === 3,
      );
      repo.remove();
    }
    // Without bindops.yaml there is nothing to protect.
    repo = tempRepo({ ".bindopsignore": "policies/\n", "policies/p.yaml": m });
    assert.deepEqual(discoverFiles(repo.root, []).findings, []);
  });

  it("takes paths relative to the root or absolute inside it, files or folders, without duplicates", () => {
    repo = tempRepo({ "a/one.yaml": m, "a/two.yaml": m, "b/three.yaml": m, "c/four.yaml": m });
    const { files } = discoverFiles(repo.root, [
      "a",
      join(repo.root, "b", "three.yaml"),
      "a/one.yaml",
    ]);
    assert.deepEqual(files, ["a/one.yaml", "a/two.yaml", "b/three.yaml"]);
  });

  it("applies the same filters to files named directly, so a changed-files list can be passed as is", () => {
    repo = tempRepo({
      ".bindopsignore": "drafts/\n",
      "a.yaml": m,
      "README.md": "x",
      "drafts/d.yaml": m,
    });
    const { files } = discoverFiles(repo.root, ["a.yaml", "README.md", "drafts/d.yaml"]);
    assert.deepEqual(files, ["a.yaml"]);
  });

  it("refuses a path that does not exist, or lies outside the root, with a usage error", () => {
    repo = tempRepo({ "a.yaml": m });
    const usage = (code: string) => (error: unknown) =>
      error instanceof BindopsError && error.kind === "usage" && error.code === code;
    assert.throws(() => discoverFiles(repo.root, ["nope"]), usage("path-not-found"));
    assert.throws(() => discoverFiles(repo.root, ["../elsewhere"]), usage("path-outside-root"));
    assert.throws(() => discoverFiles(join(repo.root, "missing"), []), usage("path-not-found"));
  });

  describe("symbolic links", () => {
    let outside: string;
    beforeEach(() => {
      outside = mkdtempSync(join(tmpdir(), "bindops-outside-"));
      writeFileSync(join(outside, "secret.yaml"), "kind: Secret\n");
    });
    afterEach(() => rmSync(outside, { recursive: true, force: true }));

    it("refuses links that lead outside the root with a finding, and does not follow them", () => {
      repo = tempRepo({ "a.yaml": m });
      symlinkSync(join(outside, "secret.yaml"), join(repo.root, "stolen.yaml"));
      symlinkSync(outside, join(repo.root, "shared"));
      const { files, findings } = discoverFiles(repo.root, []);
      assert.deepEqual(files, ["a.yaml"]);
      assert.deepEqual(
        findings.map((f) => [f.rule, f.severity, f.location.file]),
        [
          ["symlink-outside-root", "error", "shared"],
          ["symlink-outside-root", "error", "stolen.yaml"],
        ],
      );
    });

    it("refuses a named path that reaches outside the root through a link", () => {
      repo = tempRepo({ "a.yaml": m });
      symlinkSync(outside, join(repo.root, "shared"));
      const { files, findings } = discoverFiles(repo.root, ["shared/secret.yaml"]);
      assert.deepEqual(files, []);
      assert.deepEqual(
        findings.map((f) => f.rule),
        ["symlink-outside-root"],
      );
    });

    it("follows links inside the root, and does not loop on a link to an ancestor", () => {
      repo = tempRepo({ "base/crds/c.yaml": m, "base/t.yaml": m });
      mkdirSync(join(repo.root, "providers"));
      symlinkSync("../base/crds", join(repo.root, "providers", "crds"));
      symlinkSync("../t.yaml", join(repo.root, "base", "crds", "t-link.yaml"));
      symlinkSync("..", join(repo.root, "base", "loop"));
      symlinkSync("../b", join(repo.root, "base", "crds", "a"));
      const { files, findings } = discoverFiles(repo.root, []);
      assert.deepEqual(files, [
        "base/crds/c.yaml",
        "base/crds/t-link.yaml",
        "base/t.yaml",
        "providers/crds/c.yaml",
        "providers/crds/t-link.yaml",
      ]);
      assert.deepEqual(findings, []);
    });

    it("does not loop on links between sibling folders", () => {
      repo = tempRepo({ "s1/a.yaml": m, "s2/b.yaml": m });
      symlinkSync("../s2", join(repo.root, "s1", "to-s2"));
      symlinkSync("../s1", join(repo.root, "s2", "to-s1"));
      const { files } = discoverFiles(repo.root, []);
      assert.deepEqual(files, ["s1/a.yaml", "s1/to-s2/b.yaml", "s2/b.yaml", "s2/to-s1/a.yaml"]);
    });

    it("reports a broken link with a manifest name", () => {
      repo = tempRepo({ "a.yaml": m });
      symlinkSync("gone.yaml", join(repo.root, "dangling.yaml"));
      const { files, findings } = discoverFiles(repo.root, []);
      assert.deepEqual(files, ["a.yaml"]);
      assert.deepEqual(
        findings.map((f) => [f.rule, f.location.file]),
        [["symlink-broken", "dangling.yaml"]],
      );
    });
  });

  describe("special files", () => {
    const mkfifo = (path: string) => execFileSync("mkfifo", [path]);

    it("reports a named pipe with a manifest name, or given by name, without opening it", function () {
      repo = tempRepo({ "a.yaml": m, "sub/b.yaml": m });
      try {
        mkfifo(join(repo.root, "pipe.yaml"));
      } catch {
        console.log("    (skipped: no mkfifo on this machine)");
        this.skip();
      }
      mkfifo(join(repo.root, "sub", "fifo"));
      mkfifo(join(repo.root, "sub", "named.json"));
      symlinkSync("pipe.yaml", join(repo.root, "link.yaml"));
      const all = discoverFiles(repo.root, []);
      assert.deepEqual(all.files, ["a.yaml", "sub/b.yaml"]);
      assert.deepEqual(
        all.findings.map((f) => [f.rule, f.location.file, f.message]),
        [
          ["unreadable-file", "link.yaml", "not a regular file but a named pipe (FIFO); not read"],
          ["unreadable-file", "pipe.yaml", "not a regular file but a named pipe (FIFO); not read"],
          [
            "unreadable-file",
            "sub/named.json",
            "not a regular file but a named pipe (FIFO); not read",
          ],
        ],
      );
      const named = discoverFiles(repo.root, ["sub/fifo"]);
      assert.deepEqual(named.files, []);
      assert.deepEqual(
        named.findings.map((f) => [f.rule, f.location.file]),
        [["unreadable-file", "sub/fifo"]],
      );
      // Read anyway (a list of changed files is read as given): refused, never waited on.
      const read = readFiles(repo.root, ["pipe.yaml"]).get("pipe.yaml");
      assert.deepEqual(read, { rule: "unreadable-file", message: "not a regular file" });
    });
  });
});
