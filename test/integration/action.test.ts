import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "yaml";
import { repoRoot } from "../support/repo-root.js";
import { pullNumber, setUp } from "../support/review-pull-request.js";
import type { CliResult } from "../support/run-cli.js";

interface ActionStep {
  run?: string;
  env?: Record<string, string>;
}

const action = parse(readFileSync(path.join(repoRoot, "action.yml"), "utf8")) as {
  inputs: Record<string, { default?: string }>;
  runs: { steps: ActionStep[] };
};
const step = action.runs.steps.find((s) => s.run !== undefined)!;

/**
 * Runs the action's script as the runner would: its `env` with the inputs' values put in, and
 * `GITHUB_ACTION_PATH` at this repository (already built, so `npm ci` is a stand-in that does
 * nothing: installing would replace the tests' own node_modules).
 */
async function runAction(
  inputs: Record<string, string>,
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<CliResult> {
  const bin = mkdtempSync(path.join(tmpdir(), "bindops-action-"));
  try {
    writeFileSync(path.join(bin, "npm"), "#!/bin/sh\nexit 0\n");
    chmodSync(path.join(bin, "npm"), 0o755);
    const values = (name: string) => inputs[name] ?? action.inputs[name]?.default ?? "";
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", ...options.env };
    for (const [name, value] of Object.entries(step.env ?? {})) {
      env[name] = value.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_, input: string) =>
        values(input),
      );
    }
    env.GITHUB_ACTION_PATH = repoRoot;
    env.PATH = `${bin}:${process.env.PATH ?? ""}`;
    return await new Promise((resolve, reject) => {
      const child = spawn("bash", ["-e", "-c", step.run!], { cwd: options.cwd, env });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
      child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

describe("the GitHub Action (action.yml)", function () {
  this.timeout(120_000);
  let made: (() => unknown)[] = [];
  afterEach(async () => {
    for (const undo of made.reverse()) await undo();
    made = [];
  });

  it("validates by default, with findings as workflow annotations", async () => {
    const result = await runAction({ path: "examples" }, { cwd: repoRoot });
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^::warning file=examples\/consumers\/billing\/bindings\/billing-db\.yaml/m,
    );
  });

  it("refuses a command it does not know", async () => {
    const result = await runAction({ command: "deploy" }, { cwd: repoRoot });
    assert.equal(result.code, 3);
    assert.match(
      result.stdout,
      /::error::bindops action: command must be validate, review or catalog, not 'deploy'/,
    );
  });

  it("writes the catalog site with command: catalog, for upload-pages-artifact", async () => {
    const workspace = mkdtempSync(path.join(tmpdir(), "bindops-action-site-"));
    made.push(() => rmSync(workspace, { recursive: true, force: true }));
    cpSync(path.join(repoRoot, "examples"), path.join(workspace, "examples"), { recursive: true });
    const result = await runAction(
      { command: "catalog", path: "examples", site: "_site" },
      { cwd: workspace },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(readFileSync(path.join(workspace, "_site/index.html"), "utf8"), /databases/);
    assert.ok(existsSync(path.join(workspace, "_site/templates/dbaas/databases.html")));
  });

  it("reviews a pull request with command: review, posting with the token input", async () => {
    const setup = await setUp(made);
    const { GITHUB_TOKEN: token, ...env } = setup.env;
    const result = await runAction(
      { command: "review", path: "sub", token: token! },
      { cwd: setup.top, env: { ...env, GITHUB_TOKEN: undefined } },
    );
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stdout, /^bindops review: FAIL/);
    assert.equal(setup.repo.comments.get(pullNumber)?.length, 1);
    assert.equal(setup.repo.checkRuns[0]?.conclusion, "failure");
  });
});
