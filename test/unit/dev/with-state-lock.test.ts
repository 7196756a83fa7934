import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { BindopsError } from "../../../src/core/errors.js";
import { withStateLock } from "../../../src/dev/with-state-lock.js";

describe("withStateLock", () => {
  let dir: string;
  let state: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "bindops-lock-"));
    state = path.join(dir, "dev");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("runs the work holding <state>.lock and removes it afterwards, also on failure", async () => {
    const seen = await withStateLock(state, process.pid, () =>
      Promise.resolve(existsSync(`${state}.lock`)),
    );
    assert.equal(seen, true);
    assert.equal(existsSync(`${state}.lock`), false);
    await assert.rejects(withStateLock(state, process.pid, () => Promise.reject(new Error("x"))));
    assert.equal(existsSync(`${state}.lock`), false);
  });

  it("refuses while another live process holds the lock, naming it", async () => {
    // The parent of this test process is alive and is not us.
    writeFileSync(`${state}.lock`, String(process.ppid));
    let ran = false;
    await assert.rejects(
      withStateLock(state, process.pid, () => Promise.resolve((ran = true))),
      (error: unknown) => {
        assert.ok(error instanceof BindopsError);
        assert.equal(error.code, "dev-state-busy");
        assert.equal(error.exitCode, 3);
        assert.match(error.message, new RegExp(`pid ${process.ppid}`));
        return true;
      },
    );
    assert.equal(ran, false);
    assert.ok(existsSync(`${state}.lock`), "someone else's lock is left alone");
  });

  it("takes over a lock whose process is gone", async () => {
    writeFileSync(`${state}.lock`, "2147483646");
    assert.equal(await withStateLock(state, process.pid, () => Promise.resolve("done")), "done");
  });
});
