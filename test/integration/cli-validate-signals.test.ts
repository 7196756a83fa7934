import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { cliPath } from "../support/run-cli.js";

/**
 * Ctrl-C or SIGTERM during a long validation: the process stops promptly with exit 130 and no
 * report, rather than finishing and claiming success.
 */
describe("bindops validate interrupted by a signal (whole process)", function () {
  this.timeout(120_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "bindops-signal-"));
    // Enough documents that validation takes seconds, not milliseconds.
    for (let f = 0; f < 400; f++) {
      const docs = Array.from(
        { length: 100 },
        (_, i) =>
          `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${f}-${i}\n  namespace: apps\ndata:\n  key: value-${i}\n`,
      );
      const folder = path.join(dir, `team-${f % 20}`);
      mkdirSync(folder, { recursive: true });
      writeFileSync(path.join(folder, `file-${f}.yaml`), docs.join("---\n"));
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`stops on ${signal} with exit 130 and no report`, async () => {
      const child = spawn(process.execPath, [cliPath, "validate", dir, "-o", "json", "--debug"], {
        env: { ...process.env, NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      let sentAt = 0;
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk;
        // The files are read; validation is under way.
        if (sentAt === 0 && stderr.includes("validating")) {
          sentAt = performance.now();
          child.kill(signal);
        }
      });
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      const stoppedAfterMs = performance.now() - sentAt;
      assert.ok(sentAt > 0, `never saw validation start:\n${stderr}`);
      assert.equal(code, 130, stderr);
      assert.equal(stdout, "");
      assert.match(stderr, /interrupted/);
      // Promptly: well under the seconds the run would go on (a busy CI machine adds some).
      assert.ok(stoppedAfterMs < 3_000, `stopped ${stoppedAfterMs.toFixed(0)} ms after ${signal}`);
    });
  }
});
