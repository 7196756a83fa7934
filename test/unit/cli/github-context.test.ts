import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { githubContext } from "../../../src/cli/github-context.js";
import { BindopsError } from "../../../src/core/errors.js";

describe("githubContext (where and as whom review --github posts)", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), "bindops-ghctx-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const event = (payload: unknown) => {
    const file = path.join(dir, "event.json");
    writeFileSync(file, JSON.stringify(payload));
    return file;
  };
  const usage = (code: string) => (error: unknown) =>
    error instanceof BindopsError && error.kind === "usage" && error.code === code;

  it("reads the pull request and its revisions from a pull_request event", () => {
    const context = githubContext(
      {
        env: {
          GITHUB_REPOSITORY: "acme/platform",
          GITHUB_EVENT_PATH: event({
            pull_request: {
              number: 12,
              base: { sha: "b".repeat(40) },
              head: { sha: "h".repeat(40) },
            },
          }),
          GITHUB_TOKEN: "t",
        },
      },
      {},
    );
    assert.equal(context.owner, "acme");
    assert.equal(context.repo, "platform");
    assert.equal(context.pullNumber, 12);
    assert.deepEqual(context.pullRequest, { baseSha: "b".repeat(40), headSha: "h".repeat(40) });
    assert.equal(context.apiUrl, "https://api.github.com");
    assert.deepEqual(context.auth, { kind: "token", token: "t" });
  });

  it("takes --pr and --repo over the environment, without the event's revisions", () => {
    const context = githubContext(
      {
        env: {
          GITHUB_REPOSITORY: "x/y",
          GITHUB_EVENT_PATH: event({ pull_request: { number: 1 } }),
          GITHUB_TOKEN: "t",
        },
      },
      { pr: "5", repo: "acme/platform" },
    );
    assert.equal(context.pullNumber, 5);
    assert.equal(`${context.owner}/${context.repo}`, "acme/platform");
    assert.equal(context.pullRequest, undefined);
  });

  it("prefers a GitHub App, whose key may come with its line breaks written as \\n", () => {
    const context = githubContext(
      {
        env: {
          GITHUB_TOKEN: "t",
          BINDOPS_GITHUB_APP_ID: "42",
          BINDOPS_GITHUB_APP_PRIVATE_KEY:
            "-----BEGIN RSA PRIVATE KEY-----\\nabc\\n-----END RSA PRIVATE KEY-----",
          BINDOPS_GITHUB_APP_INSTALLATION_ID: "7",
        },
      },
      { pr: "1", repo: "a/b" },
    );
    assert.deepEqual(context.auth, {
      kind: "app",
      appId: "42",
      privateKey: "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----",
      installationId: 7,
    });
  });

  it("is a usage error without a repository, a pull request or credentials", () => {
    assert.throws(
      () => githubContext({ env: { GITHUB_TOKEN: "t" } }, { pr: "1" }),
      usage("no-github-repository"),
    );
    assert.throws(
      () => githubContext({ env: { GITHUB_TOKEN: "t" } }, { repo: "a/b" }),
      usage("no-pull-request"),
    );
    assert.throws(
      () => githubContext({ env: {} }, { repo: "a/b", pr: "1" }),
      usage("no-github-credentials"),
    );
    assert.throws(
      () => githubContext({ env: { GITHUB_TOKEN: "t" } }, { repo: "a/b", pr: "x" }),
      usage("bad-pull-request"),
    );
  });
});
