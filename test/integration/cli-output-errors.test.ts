import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "../support/repo-root.js";
import { cliPath } from "../support/run-cli.js";

/** Runs the CLI with its standard output on `fd`, and collects standard error. */
function runWithStdout(args: readonly string[], fd: number) {
  return new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", fd, "pipe"],
    });
    let stderr = "";
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe("bindops validate when its output cannot be written (whole process)", function () {
  this.timeout(60_000);
  const examples = path.join(repoRoot, "examples");

  it("a full disk is an I/O error with the reason and exit 4, not a crash", async function () {
    if (!existsSync("/dev/full")) this.skip(); // /dev/full: every write fails with ENOSPC
    const fd = openSync("/dev/full", "w");
    try {
      for (const output of ["text", "json", "sarif"]) {
        const { code, stderr } = await runWithStdout(["validate", examples, "-o", output], fd);
        assert.equal(code, 4, stderr);
        assert.match(stderr, /cannot write standard output: no space left on device \(ENOSPC\)/);
        assert.doesNotMatch(stderr, /internal error|bug/);
      }
    } finally {
      closeSync(fd);
    }
  });

  it("a full disk under standard error leaves the command's own exit code", async function () {
    if (!existsSync("/dev/full")) this.skip();
    const fd = openSync("/dev/full", "w");
    const child = spawn(process.execPath, [cliPath, "validate", "no/such/path"], {
      cwd: repoRoot,
      stdio: ["ignore", "ignore", fd],
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    closeSync(fd);
    assert.equal(code, 3);
  });
});
