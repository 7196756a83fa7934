import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { clusterStartTimeoutMs, clusters } from "../support/clusters.js";
import { repoRoot } from "../support/repo-root.js";
import { cliPath, runCli } from "../support/run-cli.js";

const hermetic = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };

describe("bindops run: the loop against a real bare remote and the real API servers", function () {
  this.timeout(180_000);
  let dir: string;
  let remote: string;
  let work: string;
  let kubeconfigDir: string;
  let env: NodeJS.ProcessEnv;
  const git = (cwd: string, ...args: string[]) =>
    execFileSync("git", args, { cwd, env: hermetic }).toString("utf8").trim();

  before(async function () {
    this.timeout(clusterStartTimeoutMs);
    kubeconfigDir = path.dirname((await clusters()).provider.kubeconfigPath);
    dir = mkdtempSync(path.join(tmpdir(), "bindops-run-"));
    remote = path.join(dir, "remote.git");
    work = path.join(dir, "work");
    env = { ...hermetic, BINDOPS_CACHE_DIR: path.join(dir, "cache") };
    git(dir, "init", "-q", "--bare", "-b", "main", remote);
    cpSync(path.join(repoRoot, "examples"), work, { recursive: true });
    git(work, "init", "-q", "-b", "main");
    git(work, "add", "-A");
    git(
      work,
      "-c",
      "user.name=dev",
      "-c",
      "user.email=dev@example.invalid",
      "commit",
      "-qm",
      "bindings",
    );
    git(work, "remote", "add", "origin", remote);
    git(work, "push", "-q", "origin", "main");
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  const once = () =>
    runCli(
      ["run", "--once", "--repo", remote, "--branch", "main", "--kubeconfig-dir", kubeconfigDir],
      {
        env,
        timeoutMs: 170_000,
      },
    );

  it("reconciles the branch and pushes the status back as one [skip ci] commit by bindops", async () => {
    const head = git(remote, "rev-parse", "main");
    const result = await once();
    assert.equal(result.code, 0, result.stderr);
    const log = git(remote, "log", "--format=%an <%ae>|%s|%P", "-1", "main");
    const [author, subject, parent] = log.split("|");
    assert.equal(author, "bindops <bindops@example.invalid>");
    assert.match(subject ?? "", /\[skip ci\]$/);
    assert.equal(parent, head, "the status commit sits on the user's commit");
    const files = git(remote, "show", "--name-only", "--format=", "main").split("\n").sort();
    assert.deepEqual(files, ["status/consumer/billing-db.yaml", "status/consumer/orders-db.yaml"]);
    const text = git(remote, "show", "main:status/consumer/orders-db.yaml");
    assert.match(text, new RegExp(`observedRevision: ${head}`));
    assert.match(text, /phase: Bound/);
  });

  it("commits nothing when a second run finds nothing changed", async () => {
    const before = git(remote, "rev-parse", "main");
    const result = await once();
    assert.equal(result.code, 0, result.stderr);
    assert.equal(git(remote, "rev-parse", "main"), before);
  });

  it("keeps running while the remote is unreachable, and stops cleanly on SIGTERM", async () => {
    const child = spawn(
      process.execPath,
      [
        cliPath,
        "run",
        "--repo",
        path.join(dir, "gone.git"),
        "--interval",
        "1",
        "--kubeconfig-dir",
        kubeconfigDir,
        "--health-addr",
        "127.0.0.1:0",
        "--metrics-addr",
        "127.0.0.1:0",
        "--log-format",
        "json",
      ],
      { env, stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    // Failures are retried with backoff (2 s, then 4 s, ...): wait for the second attempt.
    const failures = () => stderr.split("\n").filter((l) => l.includes("reconcile failed")).length;
    const deadline = Date.now() + 30_000;
    while (failures() < 2 && Date.now() < deadline && child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(child.exitCode, null, `still running:\n${stderr}`);
    assert.ok(failures() >= 2, `it retried:\n${stderr}`);
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    assert.equal(code, 0, stderr);
  });
});
