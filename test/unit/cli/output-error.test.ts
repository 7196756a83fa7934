import assert from "node:assert/strict";
import { ExitCode } from "../../../src/core/errors.js";
import { outputError } from "../../../src/cli/output-error.js";

const systemError = (code: string, syscall: string) =>
  Object.assign(new Error(`${code}: failed, ${syscall}`), { code, syscall });

describe("outputError", () => {
  it("turns failed writes into I/O errors (exit 4) that say why", () => {
    for (const [code, reason] of [
      ["ENOSPC", "no space left on device"],
      ["EDQUOT", "disk quota exceeded"],
      ["EIO", "input/output error"],
      ["EPIPE", "the reader closed the pipe"],
    ]) {
      const failure = outputError(systemError(code!, "write"), "standard output");
      assert.equal(failure?.exitCode, ExitCode.unreachable, code);
      assert.equal(failure?.message, `cannot write standard output: ${reason} (${code})`);
    }
  });

  it("leaves other errors alone: they are bugs or have their own codes", () => {
    assert.equal(outputError(systemError("ENOSPC", "open")), undefined);
    assert.equal(outputError(systemError("EWHATEVER", "write")), undefined);
    assert.equal(outputError(new TypeError("x is undefined")), undefined);
  });
});
