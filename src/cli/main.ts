#!/usr/bin/env node
import { ExitCode } from "../core/errors.js";
import { outputError } from "./output-error.js";
import { reportError, run } from "./run.js";

// A failure outside any command's flow is a bug: exit 70, not 1 (which means "differences found").
const crash = (error: unknown): void => {
  reportError(error, process.stderr, { debug: process.argv.includes("--debug") });
  process.exit(ExitCode.internal);
};
process.on("uncaughtException", crash);
process.on("unhandledRejection", crash);

// `bindops validate | head` closes the pipe early; that is not an error. Any other failed write
// to standard output (a full disk) is the environment's refusal, not a bug: exit 4 with the reason.
for (const [stream, name] of [
  [process.stdout, "standard output"],
  [process.stderr, "standard error"],
] as const) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    const failure = outputError(error, name);
    if (failure === undefined) return crash(error);
    // Unwritable logs do not change the outcome: the command's exit code still says it.
    if (stream === process.stderr) return;
    try {
      reportError(failure, process.stderr, { debug: process.argv.includes("--debug") });
    } catch {
      // stderr is no better: the exit code says it.
    }
    process.exit(failure.exitCode);
  });
}

// The first Ctrl-C or SIGTERM lets the running command stop and clean up; a second one ends it.
const controller = new AbortController();
let interrupted = 0;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    interrupted += 1;
    if (interrupted > 1) process.exit(ExitCode.interrupted);
    controller.abort(new Error(`interrupted by ${sig}`));
  });
}

process.exitCode = await run({
  argv: process.argv,
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  signal: controller.signal,
});
