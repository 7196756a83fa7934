import { spawn } from "node:child_process";
import path from "node:path";
import { repoRoot } from "./repo-root.js";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI (`npm test` builds it first), as a user runs it. */
export const cliPath = path.join(repoRoot, "dist/cli/main.js");

/** Runs `bindops <args>` as a separate process (with `input` on its stdin) and collects its output. */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, NO_COLOR: "1", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
      timeout: options.timeoutMs ?? 120_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.stdin.end(options.input ?? "");
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
