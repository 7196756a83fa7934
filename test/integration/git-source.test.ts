import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { createServer as createNetServer, type AddressInfo, type Socket } from "node:net";
import { join } from "node:path";
import { BindopsError } from "../../src/core/errors.js";
import { isReadable, type SnapshotFile } from "../../src/core/snapshot.js";
import { gitAuthEnvironment } from "../../src/git/git-remote.js";
import { openSource, type SourceOptions } from "../../src/git/open-source.js";
import { captureLogger } from "../support/capture-logger.js";
import { git, gitEnv } from "../support/git.js";
import { sourceEnv, testRemote, type TestRemote } from "../support/git-remote.js";

const text = (file: SnapshotFile | undefined) =>
  file !== undefined && isReadable(file) ? Buffer.from(file).toString("utf8") : undefined;

/** Runs `promise` and returns the BindopsError it rejects with. */
async function refusal(promise: Promise<unknown>): Promise<BindopsError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof BindopsError, `not a BindopsError: ${String(error)}`);
    return error;
  }
  assert.fail("expected an error");
}

describe("git source (real git, bare remote)", function () {
  this.timeout(60_000);
  let repo: TestRemote;
  const open = (options: Partial<SourceOptions> = {}) =>
    openSource({
      repo: repo.remote,
      cacheDir: repo.cacheDir,
      env: sourceEnv,
      logger: captureLogger().logger,
      ...options,
    });

  beforeEach(() => {
    repo = testRemote();
    repo.commit({ "bindops.yaml": "a: 1\n", "consumers/a.yaml": "b: 1\n", "README.md": "x\n" });
    repo.push();
  });
  afterEach(() => repo.remove());

  it("clones once, one commit deep, and sees new commits on each fetch", async () => {
    const source = open();
    const first = await source.fetch();
    assert.equal(first.revision, repo.tip());
    assert.equal(first.branch, "main");
    assert.equal(first.forcePushed, false);
    assert.deepEqual([...first.snapshot.files.keys()], ["bindops.yaml", "consumers/a.yaml"]);
    assert.ok(source.gitDir.startsWith(join(repo.cacheDir, "repos")));
    assert.equal(git(source.gitDir, "rev-parse", "--is-bare-repository").trim(), "true");
    assert.equal(git(source.gitDir, "rev-parse", "--is-shallow-repository").trim(), "true");

    repo.commit({ "consumers/a.yaml": "b: 2\n", "consumers/c.yaml": "c: 1\n" });
    repo.commit({ "consumers/d.yaml": "d: 1\n" });
    repo.push();
    const second = await source.fetch();
    assert.equal(second.revision, repo.tip());
    assert.equal(second.previous, first.revision);
    assert.equal(second.forcePushed, false);
    assert.equal(text(second.snapshot.files.get("consumers/a.yaml")), "b: 2\n");
    assert.ok(second.snapshot.files.has("consumers/d.yaml"));

    // A second source of the same remote uses the same cache.
    const again = open();
    assert.equal(again.gitDir, source.gitDir);
    assert.equal((await again.fetch()).revision, repo.tip());
    await source.close();
    await again.close();
  });

  it("serves a fixed revision: a tag, and an older commit", async () => {
    const old = repo.tip();
    git(repo.work, "tag", "v1");
    git(repo.work, "push", "-q", "origin", "v1");
    repo.commit({ "consumers/a.yaml": "b: 2\n" });
    repo.commit({ "consumers/a.yaml": "b: 3\n" });
    repo.push();
    assert.equal((await open({ rev: "v1" }).fetch()).revision, old);
    const byId = await open({ rev: old }).fetch();
    assert.equal(byId.revision, old);
    assert.equal(text(byId.snapshot.files.get("consumers/a.yaml")), "b: 1\n");
  });

  it("refuses a missing branch and a missing revision with exit 4", async () => {
    const branch = await refusal(open({ branch: "nope" }).fetch());
    assert.equal(branch.code, "missing-branch");
    assert.equal(branch.exitCode, 4);
    assert.match(branch.message, /nope/);
    const tag = await refusal(open({ rev: "no-such-tag" }).fetch());
    assert.equal(tag.code, "missing-revision");
    assert.equal(tag.exitCode, 4);
    const commit = await refusal(open({ rev: "0123456789abcdef0123456789abcdef01234567" }).fetch());
    assert.equal(commit.code, "missing-revision");
    assert.equal(commit.exitCode, 4);
  });

  it("refuses an unreachable remote with exit 4, never showing the token", async () => {
    const token = "tok-SECRET-123456";
    const env = { ...sourceEnv, BINDOPS_GIT_TOKEN: token };
    for (const url of [
      "file:///nonexistent/repo.git",
      "http://127.0.0.1:1/x.git",
      "https://127.0.0.1:1/x.git",
      "https://user:hunter2@127.0.0.1:1/x.git",
    ]) {
      const { logger, records } = captureLogger();
      const source = openSource({
        repo: url,
        branch: "main",
        cacheDir: repo.cacheDir,
        env,
        logger,
      });
      const error = await refusal(source.fetch());
      assert.equal(error.code, "remote-unreachable", `${url}: ${error.message}`);
      assert.equal(error.exitCode, 4);
      const shown = JSON.stringify([
        error.message,
        error.hint,
        error.cause,
        source.remote,
        records,
      ]);
      assert.ok(!shown.includes(token), shown);
      assert.ok(!shown.includes(Buffer.from(`x-access-token:${token}`).toString("base64")), shown);
      assert.ok(!shown.includes("hunter2"), shown);
    }
  });

  it("gives the token to git as configuration in its environment, for that https host only", () => {
    const token = "tok-SECRET-123456";
    const env = { ...gitEnv, BINDOPS_GIT_TOKEN: token };
    const auth = gitAuthEnvironment("https://git.example.com/acme/repo.git", env);
    const asGit = (url: string) => {
      try {
        return execFileSync("git", ["config", "--get-urlmatch", "http.extraHeader", url], {
          env: { ...env, ...auth.variables },
          encoding: "utf8",
        }).trim();
      } catch {
        return "";
      }
    };
    const header = `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;
    assert.equal(asGit("https://git.example.com/acme/repo.git"), header);
    assert.equal(asGit("https://elsewhere.example.com/repo.git"), "");
    assert.equal(asGit("http://git.example.com/acme/repo.git"), "");
    // Not for a remote over plain http or ssh.
    assert.deepEqual(gitAuthEnvironment("http://git.example.com/r.git", env).variables, {});
    assert.deepEqual(gitAuthEnvironment("git@git.example.com:r.git", env).variables, {});
  });

  it("refuses bad credentials with exit 4, without prompting", async () => {
    // An http remote that wants a password: git must fail at once rather than wait at a prompt.
    const seen: string[] = [];
    const server = createServer((request, response) => {
      seen.push(`${request.url ?? ""} ${request.headers.authorization ?? ""}`);
      response.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"' }).end();
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const { port } = server.address() as AddressInfo;
    try {
      const token = "tok-SECRET-123456";
      const { logger, records } = captureLogger();
      const error = await refusal(
        openSource({
          repo: `http://127.0.0.1:${port}/acme/repo.git`,
          branch: "main",
          cacheDir: repo.cacheDir,
          env: { ...sourceEnv, BINDOPS_GIT_TOKEN: token },
          logger,
        }).fetch(),
      );
      assert.equal(error.code, "bad-credentials", error.message);
      assert.equal(error.exitCode, 4);
      assert.ok(seen.length > 0);
      // Plain http never carries the token, neither in the URL nor in a header.
      const shown = JSON.stringify([error.message, error.hint, records, seen]);
      assert.ok(!shown.includes(token), shown);
    } finally {
      server.close();
    }
  });

  it("gives up on a remote that does not answer, within the fetch timeout", async () => {
    const sockets: Socket[] = [];
    const silent = createNetServer((socket) => sockets.push(socket));
    await new Promise<void>((done) => silent.listen(0, "127.0.0.1", done));
    const { port } = silent.address() as AddressInfo;
    try {
      const start = Date.now();
      const error = await refusal(
        open({
          repo: `http://127.0.0.1:${port}/x.git`,
          branch: "main",
          fetchTimeoutMs: 1000,
        }).fetch(),
      );
      assert.equal(error.code, "remote-unreachable");
      assert.equal(error.exitCode, 4);
      assert.ok(Date.now() - start < 10_000);
    } finally {
      sockets.forEach((socket) => socket.destroy());
      silent.close();
    }
  });

  it("detects a force-pushed branch, serves the new tip, and keeps the cache on a failed fetch", async () => {
    const { logger, records } = captureLogger();
    const source = openSource({
      repo: repo.remote,
      cacheDir: repo.cacheDir,
      env: sourceEnv,
      logger,
    });
    const first = await source.fetch();
    repo.commit({ "consumers/a.yaml": "b: 2\n" });
    repo.push();
    const second = await source.fetch();
    assert.equal(second.forcePushed, false);

    git(repo.work, "reset", "-q", "--hard", first.revision);
    repo.commit({ "consumers/other.yaml": "o: 1\n" }, "rewritten");
    repo.push(true);
    const third = await source.fetch();
    assert.equal(third.forcePushed, true);
    assert.equal(third.previous, second.revision);
    assert.equal(third.revision, repo.tip());
    assert.ok(third.snapshot.files.has("consumers/other.yaml"));
    assert.ok(records.some((r) => r.level === 40 && /force-pushed/.test(r.msg)));

    // The remote goes away: the fetch fails, and the cache still holds the last tip.
    rmSync(repo.remote, { recursive: true, force: true });
    const error = await refusal(source.fetch());
    assert.equal(error.exitCode, 4);
    assert.ok(existsSync(join(source.gitDir, "HEAD")));
    assert.equal(
      git(source.gitDir, "rev-parse", "refs/remotes/origin/main").trim(),
      third.revision,
    );
  });
});
