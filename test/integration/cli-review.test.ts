import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import {
  commitChange as change,
  exampleRepository,
  ordersBindingFile,
  ordersLabels,
} from "../support/example-repository.js";
import { git } from "../support/git.js";
import { runCli } from "../support/run-cli.js";

const binding = ordersBindingFile;

const gitEnv = {
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
};

describe("bindops review (CLI, real git)", function () {
  this.timeout(120_000);
  const made: string[] = [];
  const repository = () => {
    const top = exampleRepository();
    made.push(top);
    return top;
  };
  after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it("reports no claim change for a comment-only change, against the default branch", async () => {
    const top = repository();
    change(top, binding, "# The orders team's database.", "# The database of the orders team.");
    const result = await runCli(["review", "sub"], { cwd: top, env: gitEnv });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^bindops review: PASS — 0 changes\n/);
    assert.match(result.stdout, /no permission-claim changes/);
  });

  it("grades widening a Secrets claim to every Secret high, denied: exit 2, Markdown for the pull request", async () => {
    const top = repository();
    change(top, binding, ordersLabels, "          {}\n");
    const result = await runCli(
      ["review", "--base", "main", "--head", "pr", "-o", "markdown", "sub"],
      {
        cwd: top,
        env: gitEnv,
      },
    );
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stdout, /^## bindops review: ❌ denied by policy/);
    assert.match(
      result.stdout,
      /🔴 high · \*\*Secrets claim widened\*\* · `sub\/consumers\/orders\/bindings\/orders-db.yaml:16`/,
    );
    assert.match(
      result.stdout,
      /⛔ \*\*denied\*\* by policy `bindops-defaults`, rule `deny-match-all-secrets`/,
    );
  });

  it("starts at the merge base: what the base branch gained meanwhile is not shown as undone", async () => {
    const top = repository();
    change(
      top,
      binding,
      "direction: Both",
      "direction: ProviderToConsumer",
      "narrow on the branch",
    );
    git(top, "checkout", "-q", "main");
    change(
      top,
      "sub/consumers/billing/bindings/billing-db.yaml",
      "    - name: billing-reports\n",
      "",
      "main moves on",
    );
    git(top, "checkout", "-q", "pr");
    const result = await runCli(["review", "--base", "main", "-o", "json", "sub"], {
      cwd: top,
      env: gitEnv,
    });
    assert.equal(result.code, 0, result.stderr);
    const review = JSON.parse(result.stdout) as {
      changes: { kind: string; subject: { name: string } }[];
    };
    assert.deepEqual(
      review.changes.map((c) => `${c.subject.name}:${c.kind}`),
      ["orders-db:claim-narrowed"],
    );
  });

  it("refuses an unknown revision as a usage error", async () => {
    const top = repository();
    const result = await runCli(["review", "--base", "nowhere", "sub"], { cwd: top, env: gitEnv });
    assert.equal(result.code, 3);
    assert.match(result.stderr, /git does not know revision "nowhere" \(--base\)/);
  });
});
