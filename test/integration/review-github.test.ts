import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { commitChange, ordersBindingFile, ordersLabels } from "../support/example-repository.js";
import { git } from "../support/git.js";
import type { FakeGitHub } from "../support/github-server.js";
import { marker, pullNumber, setUp, token } from "../support/review-pull-request.js";
import type { CliResult } from "../support/run-cli.js";

const calls = (github: FakeGitHub, method: string, pattern: RegExp) =>
  github.requests.filter((r) => r.method === method && pattern.test(r.path));

/** Whatever happened, the token is in no output. */
function assertNoToken(result: CliResult, ...files: string[]): void {
  assert.ok(!result.stdout.includes(token), "token on stdout");
  assert.ok(!result.stderr.includes(token), "token on stderr");
  assert.ok(!result.stderr.includes("TESTTOKEN"), "part of the token on stderr");
  for (const file of files) {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    assert.ok(!text.includes(token), `token in ${file}`);
  }
}

describe("bindops review --github (against a local GitHub API)", function () {
  this.timeout(120_000);
  let made: (() => unknown)[] = [];
  afterEach(async () => {
    for (const undo of made.reverse()) await undo();
    made = [];
  });

  it("posts one comment and a check run; a second run edits the same comment", async () => {
    const setup = await setUp(made);
    const first = await setup.review(["--debug"]);
    assert.equal(first.code, 2, first.stderr);
    assertNoToken(first, setup.summary);
    const comments = setup.repo.comments.get(pullNumber)!;
    assert.equal(comments.length, 1);
    assert.ok(comments[0]!.body.startsWith(`${marker}\n## bindops review: ❌ denied by policy`));
    assert.match(
      comments[0]!.body,
      /\[`sub\/consumers\/orders\/bindings\/orders-db.yaml:16`\]\(https:\/\/github.example\/acme\/platform\/blob\/[0-9a-f]{40}\/sub\/consumers\/orders\/bindings\/orders-db.yaml#L16\)/,
    );
    const [run] = setup.repo.checkRuns;
    assert.equal(run?.name, "bindops / claims");
    assert.equal(run?.conclusion, "failure");
    assert.equal(run?.head_sha, setup.repo.pulls.get(pullNumber)!.headSha);
    assert.deepEqual(
      run?.annotations.map((a) => [a.path, a.start_line, a.annotation_level]),
      [
        [ordersBindingFile, 16, "failure"],
        [ordersBindingFile, 19, "failure"],
      ],
    );
    assert.match(readFileSync(setup.summary, "utf8"), /## bindops review: ❌ denied by policy/);
    // Every request carried the token as GitHub expects it, and named bindops.
    for (const request of setup.github.requests) {
      assert.equal(request.headers.authorization, `token ${token}`);
      assert.match(String(request.headers["user-agent"]), /^bindops\/\d/);
    }

    // The branch narrows the claim again: the same comment is edited, not a second one added.
    commitChange(
      setup.top,
      ordersBindingFile,
      "          {}\n",
      ordersLabels.replace("            app: orders\n", ""),
    );
    setup.repo.pulls.get(pullNumber)!.headSha = git(setup.top, "rev-parse", "HEAD").trim();
    const second = await setup.review();
    assert.equal(second.code, 0, second.stderr);
    assert.equal(calls(setup.github, "POST", /\/issues\/7\/comments$/).length, 1);
    const edits = calls(setup.github, "PATCH", /\/issues\/comments\/\d+$/);
    assert.equal(edits.length, 1);
    assert.equal(edits[0]!.path, `/repos/acme/platform/issues/comments/${comments[0]!.id}`);
    assert.equal(setup.repo.comments.get(pullNumber)!.length, 1);
    assert.match(setup.repo.comments.get(pullNumber)![0]!.body, /Secrets claim widened/);
    assert.doesNotMatch(setup.repo.comments.get(pullNumber)![0]!.body, /denied/);
    assert.equal(setup.repo.checkRuns.at(-1)?.conclusion, "success");
    assert.match(second.stderr, /review comment updated/);

    // Nothing changed since: the comment is left alone.
    const third = await setup.review();
    assert.equal(third.code, 0, third.stderr);
    assert.equal(calls(setup.github, "PATCH", /\/issues\/comments\/\d+$/).length, 1);
  });

  it("finds its comment on a later page of the comments, following the Link header", async () => {
    const setup = await setUp(made);
    const people = { login: "octocat", id: 583231, type: "User" };
    const now = new Date().toISOString();
    const others = Array.from({ length: 250 }, (_, i) => ({
      id: i + 1,
      body: i === 229 ? `${marker}\nan old review` : `comment ${i}`,
      user: i === 229 ? { login: "github-actions[bot]", id: 41898282, type: "Bot" } : people,
      created_at: now,
      updated_at: now,
    }));
    setup.repo.comments.set(pullNumber, others);
    const result = await setup.review();
    assert.equal(result.code, 2, result.stderr);
    const listed = calls(setup.github, "GET", /\/issues\/7\/comments$/);
    assert.deepEqual(
      listed.map((r) => `${r.path}?page=${r.query.page ?? "1"}&per_page=${r.query.per_page}`),
      [
        "/repos/acme/platform/issues/7/comments?page=1&per_page=100",
        `/repositories/${setup.repo.id}/issues/7/comments?page=2&per_page=100`,
        `/repositories/${setup.repo.id}/issues/7/comments?page=3&per_page=100`,
      ],
    );
    assert.equal(calls(setup.github, "POST", /\/comments$/).length, 0);
    assert.deepEqual(
      calls(setup.github, "PATCH", /\/issues\/comments\//).map((r) => r.path),
      ["/repos/acme/platform/issues/comments/230"],
    );
    assert.equal(setup.repo.comments.get(pullNumber)!.length, 250);
  });

  it("sends annotations 50 to a request, the conclusion with the last", async () => {
    const setup = await setUp(made);
    // 60 new bindings, each with a claim: 60 annotations besides the widened claim's.
    for (let i = 0; i < 60; i++) {
      writeFileSync(
        path.join(setup.top, `sub/consumers/orders/bindings/extra-${i}.yaml`),
        readFileSync(path.join(setup.top, ordersBindingFile), "utf8")
          .replace("name: orders-db", `name: extra-${i}`)
          .replace("          {}\n", ordersLabels),
      );
    }
    git(setup.top, "add", "-A");
    git(setup.top, "commit", "-q", "-m", "more bindings");
    setup.repo.pulls.get(pullNumber)!.headSha = git(setup.top, "rev-parse", "HEAD").trim();
    const result = await setup.review();
    assert.equal(result.code, 2, result.stderr);
    const run = setup.repo.checkRuns[0]!;
    assert.deepEqual(run.batches, [50, 12]);
    assert.equal(run.annotations.length, 62);
    assert.equal(run.conclusion, "failure");
    const [create, update] = [
      calls(setup.github, "POST", /\/check-runs$/)[0]!,
      calls(setup.github, "PATCH", /\/check-runs\/\d+$/)[0]!,
    ];
    assert.equal((create.body as { status: string }).status, "in_progress");
    assert.equal((update.body as { conclusion: string }).conclusion, "failure");
  });

  it("waits out rate limits as GitHub's headers say", async () => {
    const setup = await setUp(made);
    setup.github.fail((r) => r.method === "GET" && r.path.endsWith("/issues/7/comments"), {
      status: 403,
      headers: {
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-used": "5000",
        "x-ratelimit-reset": String(Math.floor(Date.now() / 1000)),
      },
      body: {
        message: "API rate limit exceeded for installation ID 1.",
        documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
        status: "403",
      },
    });
    setup.github.fail((r) => r.method === "POST" && r.path.endsWith("/check-runs"), {
      status: 429,
      headers: { "retry-after": "1" },
      body: {
        message:
          "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        documentation_url:
          "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        status: "429",
      },
    });
    const started = Date.now();
    const result = await setup.review();
    assert.equal(result.code, 2, result.stderr);
    assertNoToken(result);
    assert.ok(Date.now() - started >= 1000, "waited");
    assert.equal(calls(setup.github, "GET", /\/issues\/7\/comments$/).length, 2);
    assert.equal(calls(setup.github, "POST", /\/check-runs$/).length, 2);
    assert.equal(setup.repo.comments.get(pullNumber)!.length, 1);
    assert.equal(setup.repo.checkRuns.length, 1);
    assert.match(
      result.stderr,
      /rate limit on GET \/repos\/acme\/platform\/issues\/7\/comments \(HTTP 403\): waiting 1 s/,
    );
    assert.match(
      result.stderr,
      /rate limit on POST \/repos\/acme\/platform\/check-runs \(HTTP 429\): waiting 1 s/,
    );
  });

  it("gives up with exit 4 and a clear message when the limit lasts too long", async () => {
    const setup = await setUp(made);
    const reset = Math.floor(Date.now() / 1000) + 3600;
    setup.github.fail((r) => r.path.endsWith("/pulls/7"), {
      status: 403,
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) },
      body: {
        message: "API rate limit exceeded for installation ID 1.",
        documentation_url: "https://docs.github.com",
        status: "403",
      },
    });
    const result = await setup.review();
    assert.equal(result.code, 4, result.stderr);
    assertNoToken(result);
    assert.match(
      result.stderr,
      new RegExp(
        `error: GitHub's rate limit stopped GET /repos/acme/platform/pulls/7 \\(HTTP 403, 0 retries; it asks to wait 3\\d{3} s\\); the limit resets at ${new Date(reset * 1000).toISOString().replace(/[.]/g, "\\.")}`,
      ),
    );
    // The review was printed before GitHub was asked.
    assert.match(result.stdout, /^bindops review: FAIL/);

    // A secondary limit that never lifts: three retries, then exit 4.
    setup.github.fail(
      (r) => r.path.endsWith("/pulls/7"),
      {
        status: 429,
        headers: { "retry-after": "1" },
        body: { message: "You have exceeded a secondary rate limit.", status: "429" },
      },
      10,
    );
    const again = await setup.review();
    assert.equal(again.code, 4, again.stderr);
    assert.match(
      again.stderr,
      /GitHub's rate limit stopped GET \/repos\/acme\/platform\/pulls\/7 \(HTTP 429, 3 retries\)/,
    );
  });

  it("exits 4 for a pull request that does not exist", async () => {
    const setup = await setUp(made);
    const result = await setup.review(["--pr", "99"]);
    assert.equal(result.code, 4, result.stderr);
    assert.match(
      result.stderr,
      /error: could not read pull request #99 of acme\/platform: not found \(404\), or the token cannot see it/,
    );
    assert.equal(setup.repo.comments.get(99), undefined);
  });

  it("prints the review, and exits per verdict, with a fork's read-only token", async () => {
    const setup = await setUp(made);
    setup.github.tokens.set(token, "read");
    const result = await setup.review(["-o", "markdown"]);
    assert.equal(result.code, 2, result.stderr);
    assertNoToken(result);
    assert.match(result.stdout, /^## bindops review: ❌ denied by policy/);
    assert.match(
      result.stderr,
      /could not comment on pull request #7: GitHub refused \(403 Resource not accessible by integration\)/,
    );
    assert.equal(setup.repo.comments.get(pullNumber)?.length ?? 0, 0);
    assert.equal(calls(setup.github, "POST", /\/check-runs$/).length, 0);
  });

  it("comments without a check run when the token may not create one (a personal token)", async () => {
    const setup = await setUp(made);
    setup.github.noChecks.add(token);
    const result = await setup.review();
    assert.equal(result.code, 2, result.stderr);
    assert.equal(setup.repo.comments.get(pullNumber)!.length, 1);
    assert.match(
      result.stderr,
      /no check run: could not create the check run "bindops \/ claims": GitHub refused \(403 You must authenticate via a GitHub App\.\)/,
    );
  });

  it("authenticates as a GitHub App: a signed JWT, then the installation's token", async () => {
    const setup = await setUp(made);
    const { privateKey, publicKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs1", format: "pem" },
    });
    setup.github.addApp(4242, publicKey, 55);
    const result = await setup.review([], {
      GITHUB_TOKEN: undefined,
      BINDOPS_GITHUB_APP_ID: "4242",
      // As a repository secret often holds it: line breaks written as \n.
      BINDOPS_GITHUB_APP_PRIVATE_KEY: privateKey.replace(/\n/g, "\\n"),
    });
    assert.equal(result.code, 2, result.stderr);
    assert.ok(!result.stderr.includes("PRIVATE KEY"));
    const [lookup, exchange, ...rest] = setup.github.requests;
    assert.equal(`${lookup?.method} ${lookup?.path}`, "GET /repos/acme/platform/installation");
    assert.match(String(lookup?.headers.authorization), /^bearer [\w-]+\.[\w-]+\.[\w-]+$/i);
    assert.equal(
      `${exchange?.method} ${exchange?.path}`,
      "POST /app/installations/55/access_tokens",
    );
    for (const request of rest)
      assert.match(String(request.headers.authorization), /^token ghs_installation\d+$/);
    assert.equal(setup.repo.comments.get(pullNumber)!.length, 1);
    assert.equal(setup.repo.checkRuns.length, 1);
  });
});
