import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { run } from "../../../src/cli/run.js";
import { ExitCode } from "../../../src/core/errors.js";

/** `bindops run <args>` in-process: its exit code and what it printed on stderr. */
async function runBindops(args: string[]) {
  const stderr = new PassThrough();
  const code = await run({
    argv: ["node", "bindops", "run", ...args],
    env: {},
    cwd: "/",
    stdout: new PassThrough(),
    stderr,
    signal: new AbortController().signal,
  });
  return { code, stderr: String(stderr.read() ?? "") };
}

describe("bindops run --shards: usage", () => {
  it("refuses a shard count that is not a whole number from 1 to 1000", async () => {
    for (const bad of ["0", "two", "1.5", "5000"]) {
      const { code, stderr } = await runBindops(["--shards", bad]);
      assert.equal(code, ExitCode.usage, bad);
      assert.match(stderr, new RegExp(`--shards ${bad.replace(".", "\\.")}: not a count`));
    }
  });

  it("refuses shards with --once, --leader-elect and --watch, which each mean one replica's work", async () => {
    for (const [flag, text] of [
      ["--once", /it takes neither --once/],
      ["--leader-elect", /it takes neither --leader-elect/],
      ["--watch", /--watch follows one folder; it takes no --shards/],
    ] as const) {
      const { code, stderr } = await runBindops(["--shards", "3", flag]);
      assert.equal(code, ExitCode.usage, flag);
      assert.match(stderr, text);
    }
  });
});
