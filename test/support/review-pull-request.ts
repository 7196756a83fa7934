import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  commitChange,
  exampleRepository,
  ordersBindingFile,
  ordersLabels,
} from "./example-repository.js";
import { git } from "./git.js";
import { startFakeGitHub, type FakeGitHub, type Repository } from "./github-server.js";
import { runCli, type CliResult } from "./run-cli.js";

export const token = "ghs_TESTTOKEN0123456789abcdefSECRET";
export const marker = "<!-- bindops-review: sub -->";
export const pullNumber = 7;

export interface Setup {
  top: string;
  github: FakeGitHub;
  repo: Repository;
  env: NodeJS.ProcessEnv;
  summary: string;
  /** Runs `bindops review --github sub` in the repository, as a pull_request workflow would. */
  review(args?: string[], env?: NodeJS.ProcessEnv): Promise<CliResult>;
}

/**
 * A repository with a pull request whose branch widens the orders binding's Secrets claim to
 * every Secret (denied by the shipped defaults), GitHub's API on a local server, and the
 * environment GitHub Actions gives a pull_request workflow.
 */
export async function setUp(made: (() => unknown)[]): Promise<Setup> {
  const top = exampleRepository();
  const base = git(top, "rev-parse", "main").trim();
  const head = commitChange(top, ordersBindingFile, ordersLabels, "          {}\n");
  const github = await startFakeGitHub();
  const repo = github.addRepository("acme/platform");
  repo.pulls.set(pullNumber, { headSha: head, baseSha: base });
  github.tokens.set(token, "write");
  const scratch = mkdtempSync(path.join(tmpdir(), "bindops-gh-"));
  const event = path.join(scratch, "event.json");
  writeFileSync(
    event,
    JSON.stringify({
      action: "synchronize",
      number: pullNumber,
      pull_request: {
        number: pullNumber,
        head: { sha: head, ref: "pr" },
        base: { sha: base, ref: "main" },
      },
      repository: { full_name: "acme/platform" },
    }),
  );
  const summary = path.join(scratch, "summary.md");
  made.push(() => rmSync(top, { recursive: true, force: true }));
  made.push(() => rmSync(scratch, { recursive: true, force: true }));
  made.push(() => github.close());
  const env: NodeJS.ProcessEnv = {
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
    GITHUB_ACTIONS: "true",
    GITHUB_API_URL: github.url,
    GITHUB_SERVER_URL: "https://github.example",
    GITHUB_REPOSITORY: "acme/platform",
    GITHUB_EVENT_NAME: "pull_request",
    GITHUB_EVENT_PATH: event,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_TOKEN: token,
    BINDOPS_GITHUB_APP_ID: undefined,
  };
  return {
    top,
    github,
    repo,
    env,
    summary,
    review: (args = [], extra = {}) =>
      runCli(["review", "--github", ...args, "sub"], { cwd: top, env: { ...env, ...extra } }),
  };
}
