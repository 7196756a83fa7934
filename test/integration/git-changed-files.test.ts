import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { changedFiles } from "../../src/git/changed-files.js";
import { BindopsError } from "../../src/core/errors.js";
import { git } from "../support/git.js";

describe("changedFiles (real git)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "bindops-git-"));
    git(dir, "init", "-q", "-b", "main");
    mkdirSync(join(dir, "repo/consumers"), { recursive: true });
    writeFileSync(join(dir, "repo/bindops.yaml"), "a: 1\n");
    writeFileSync(join(dir, "repo/consumers/a.yaml"), "a: 1\n");
    writeFileSync(join(dir, "repo/consumers/gone.yaml"), "a: 1\n");
    writeFileSync(join(dir, "outside.yaml"), "a: 1\n");
    git(dir, "add", ".");
    git(dir, "commit", "-qm", "base");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("lists committed, uncommitted and untracked changes relative to the root, and deletions apart", async () => {
    writeFileSync(join(dir, "repo/consumers/a.yaml"), "a: 2\n");
    git(dir, "commit", "-qam", "edit");
    writeFileSync(join(dir, "repo/bindops.yaml"), "a: 3\n"); // uncommitted
    writeFileSync(join(dir, "repo/consumers/new.yaml"), "b: 1\n"); // untracked
    writeFileSync(join(dir, "outside.yaml"), "a: 9\n"); // outside the root
    unlinkSync(join(dir, "repo/consumers/gone.yaml"));
    const files = await changedFiles(join(dir, "repo"), "HEAD~1");
    assert.deepEqual([...files.changed].sort(), [
      "bindops.yaml",
      "consumers/a.yaml",
      "consumers/new.yaml",
    ]);
    assert.deepEqual([...files.deleted], ["consumers/gone.yaml"]);
  });

  it("refuses an unknown revision with a usage error and a hint", async () => {
    await assert.rejects(changedFiles(dir, "no-such-branch"), (error: unknown) => {
      assert.ok(error instanceof BindopsError);
      assert.equal(error.code, "unknown-revision");
      assert.equal(error.exitCode, 3);
      assert.match(error.hint ?? "", /fetch/);
      return true;
    });
  });

  it("refuses a revision that git would read as an option, writing nothing", async () => {
    for (const revision of ["--output=" + join(dir, "written"), "-p", ""]) {
      await assert.rejects(changedFiles(dir, revision), (error: unknown) => {
        assert.ok(error instanceof BindopsError);
        assert.equal(error.code, "invalid-revision");
        return true;
      });
    }
    assert.throws(() => readFileSync(join(dir, "written")), /ENOENT/);
  });

  it("refuses a folder that is not a git checkout", async () => {
    const plain = mkdtempSync(join(tmpdir(), "bindops-plain-"));
    try {
      await assert.rejects(changedFiles(plain, "HEAD"), /not inside a git repository/);
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });
});
