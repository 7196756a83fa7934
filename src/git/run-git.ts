import { spawn } from "node:child_process";
import { BindopsError } from "../core/errors.js";

/** Options of {@link runGit}. */
export interface RunGitOptions {
  /** The folder git runs in. */
  cwd: string;
  /** Bytes written to git's standard input, which is then closed. */
  input?: string | Uint8Array;
  /** The whole environment of git; the parent's when absent. */
  env?: Readonly<Record<string, string | undefined>>;
  signal?: AbortSignal;
}

/** A git command that exited non-zero: its exit code and standard error. */
export class GitCommandError extends Error {
  readonly exitCode: number | null;
  readonly stderr: string;

  constructor(args: readonly string[], exitCode: number | null, stderr: string) {
    super(stderr || `git ${args[0] ?? ""} exited ${String(exitCode)}`);
    this.name = "GitCommandError";
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/**
 * Runs `git <args>` and returns its standard output as bytes (file contents need not be text).
 * A non-zero exit is a {@link GitCommandError} whose message is git's standard error; a missing
 * git is `git-missing`. Used where simple-git cannot help: binary output, and standard input.
 */
export function runGit(args: readonly string[], options: RunGitOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, {
      cwd: options.cwd,
      stdio: ["pipe", "pipe", "pipe"],
      ...(options.env ? { env: options.env } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") {
        reject(
          new BindopsError("unreachable", "git-missing", "git is not installed or not on PATH", {
            cause: error,
          }),
        );
      } else reject(error);
    });
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(stdout));
      else {
        reject(new GitCommandError(args, code, Buffer.concat(stderr).toString("utf8").trim()));
      }
    });
    // git may exit before reading everything (e.g. an unknown object): that is not our error.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });
}
