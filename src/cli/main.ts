#!/usr/bin/env node
import { ExitCode } from "../core/errors.js";
import { reportError, run } from "./run.js";

// A failure outside any command's flow is a bug: exit 70, not 1 (which means "differences found").
const crash = (error: unknown): void => {
  reportError(error, process.stderr, { debug: process.argv.includes("--debug") });
  process.exit(ExitCode.internal);
};
process.on("uncaughtException", crash);
process.on("unhandledRejection", crash);

// `bindops validate | head` closes the pipe early; that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    crash(error);
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
  signal: controller.signal,
});
