import assert from "node:assert/strict";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { BindopsError } from "../../src/core/errors.js";
import { commitStatus } from "../../src/git/commit-status.js";
import { onlyStatusChanged } from "../../src/git/only-status-changed.js";
import { openSource, type Source } from "../../src/git/open-source.js";
import { captureLogger } from "../support/capture-logger.js";
import { git } from "../support/git.js";
import { sourceEnv, testRemote, type TestRemote } from "../support/git-remote.js";

const author = { name: "bindops bot", email: "bot@example.invalid" };

describe("status commits (real git, bare remote)", function () {
  this.timeout(60_000);
  let repo: TestRemote;
  let source: Source;

  beforeEach(() => {
    repo = testRemote();
    repo.commit({ "bindops.yaml": "a: 1\n", "status/orders/old.yaml": "phase: Old\n" });
    repo.push();
    source = openSource({
      repo: repo.remote,
      cacheDir: repo.cacheDir,
      env: sourceEnv,
      logger: captureLogger().logger,
    });
  });
  afterEach(async () => {
    await source.close();
    repo.remove();
  });

  const show = (path: string, rev = "main") => git(repo.remote, "show", `${rev}:${path}`);

  it("pushes exactly the given files under status/ with the bot author and [skip ci]", async () => {
    const { revision } = await source.fetch();
    const result = await commitStatus({
      source,
      files: new Map<string, string | null>([
        ["status/orders/db.yaml", "phase: Ready\n"],
        ["status/orders/old.yaml", null],
      ]),
      author,
      message: "bindops: status of " + revision.slice(0, 12),
    });
    assert.equal(result.committed, true);
    assert.ok(result.committed);
    assert.equal(result.parent, revision);
    assert.equal(repo.tip(), result.commit);
    assert.equal(show("status/orders/db.yaml"), "phase: Ready\n");
    assert.equal(show("bindops.yaml"), "a: 1\n");
    assert.equal(
      git(repo.remote, "ls-tree", "-r", "--name-only", "main"),
      "bindops.yaml\nstatus/orders/db.yaml\n",
    );
    const [who, subject] = git(repo.remote, "log", "-1", "--format=%an <%ae>|%cn <%ce>%n%B", "main")
      .trim()
      .split("\n");
    assert.equal(who, "bindops bot <bot@example.invalid>|bindops bot <bot@example.invalid>");
    assert.match(subject!, /^bindops: status of [0-9a-f]{12} \[skip ci\]$/);
    // Only the status commit came on top: the user's history is as it was.
    assert.equal(git(repo.remote, "rev-parse", "main~1").trim(), revision);
  });

  it("commits nothing when the files already have that content", async () => {
    const files = new Map([["status/orders/db.yaml", "phase: Ready\n"]]);
    const first = await commitStatus({ source, files, author, message: "status" });
    assert.equal(first.committed, true);
    const tip = repo.tip();
    const second = await commitStatus({ source, files, author, message: "status" });
    assert.deepEqual(second, { committed: false, revision: tip });
    assert.equal(repo.tip(), tip);
    // Deleting a file that is not there is no change either.
    const none = await commitStatus({
      source,
      files: new Map([["status/orders/never.yaml", null]]),
      author,
      message: "status",
    });
    assert.equal(none.committed, false);
  });

  /**
   * Makes the remote move during each status push (after the fetch, before the push lands): a
   * pre-push hook of the cache pushes a user's commit from the clone first, `times` times.
   */
  const raceEachPush = (times: number) => {
    writeFileSync(
      `${source.gitDir}/hooks/pre-push`,
      "#!/bin/sh\nunset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE\n" +
        `n=$(cat "${repo.top}/races" 2>/dev/null || echo 0)\n` +
        `[ "$n" -ge ${times} ] && exit 0\necho $((n + 1)) > "${repo.top}/races"\n` +
        `cd "${repo.work}" && echo "$n" > race.yaml && git add -A && ` +
        `git commit -qm "a user's change $n" && git push -q origin main\n`,
    );
    chmodSync(`${source.gitDir}/hooks/pre-push`, 0o755);
  };
  const races = () => Number(readFileSync(`${repo.top}/races`, "utf8"));

  it("retries on the new tip when someone pushed in between, keeping both commits", async () => {
    await source.fetch();
    raceEachPush(1);
    const result = await commitStatus({
      source,
      files: new Map([["status/orders/db.yaml", "phase: Ready\n"]]),
      author,
      message: "status",
      backoffMs: 10,
    });
    assert.equal(races(), 1);
    assert.ok(result.committed);
    assert.equal(result.attempts, 2);
    const theirs = git(repo.work, "rev-parse", "HEAD").trim();
    assert.equal(result.parent, theirs);
    assert.equal(repo.tip(), result.commit);
    assert.equal(show("race.yaml"), "0\n");
    assert.equal(show("status/orders/db.yaml"), "phase: Ready\n");
  });

  it("gives up after the attempts allowed when the branch keeps moving", async () => {
    await source.fetch();
    raceEachPush(100);
    await assert.rejects(
      commitStatus({
        source,
        files: new Map([["status/orders/db.yaml", "phase: Ready\n"]]),
        author,
        message: "status",
        maxAttempts: 3,
        backoffMs: 1,
      }),
      (error: unknown) =>
        error instanceof BindopsError && error.code === "push-rejected" && error.exitCode === 4,
    );
    assert.equal(races(), 3);
  });

  it("refuses any path outside status/ before writing anything", async () => {
    const tip = repo.tip();
    for (const path of [
      "bindops.yaml",
      "status",
      "status/../bindops.yaml",
      "./status/a.yaml",
      "/status/a.yaml",
      "statusx/a.yaml",
      "status/.git/config",
    ]) {
      await assert.rejects(
        commitStatus({ source, files: new Map([[path, "x: 1\n"]]), author, message: "status" }),
        (error: unknown) => error instanceof BindopsError && error.code === "path-outside-status",
        path,
      );
    }
    assert.equal(repo.tip(), tip);
  });

  it("tells commits that touch only status/ from the others", async () => {
    const base = (await source.fetch()).revision;
    const status = await commitStatus({
      source,
      files: new Map([["status/orders/db.yaml", "phase: Ready\n"]]),
      author,
      message: "status",
    });
    assert.ok(status.committed);
    assert.equal(await onlyStatusChanged(source, base, status.commit), true);
    assert.equal(await onlyStatusChanged(source, base, base), true);

    git(repo.work, "pull", "-q", "--ff-only", "origin", "main");
    repo.commit({ "consumers/new.yaml": "n: 1\n" });
    repo.push();
    const user = (await source.fetch()).revision;
    assert.equal(await onlyStatusChanged(source, status.commit, user), false);
    assert.equal(await onlyStatusChanged(source, base, user), false);
    // A revision the cache does not have: reconcile rather than skip.
    assert.equal(await onlyStatusChanged(source, "0".repeat(40), user), false);
  });
});
