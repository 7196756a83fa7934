import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { watchFolder } from "../../src/git/watch-folder.js";
import { git } from "../support/git.js";

describe("watchFolder (real files)", function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "bindops-watch-"));
    git(dir, "init", "-q", "-b", "main");
    mkdirSync(join(dir, "consumers"));
    mkdirSync(join(dir, "status/orders"), { recursive: true });
    writeFileSync(join(dir, "bindops.yaml"), "a: 1\n");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("calls back once for a burst of saves, within a second, and not for status/ or .git/", async () => {
    const calls: { at: number; changed: string[] }[] = [];
    const controller = new AbortController();
    await watchFolder(dir, { debounceMs: 150, signal: controller.signal }, (changed) =>
      calls.push({ at: Date.now(), changed }),
    );
    try {
      // What bindops and git write: never a reconcile.
      writeFileSync(join(dir, "status/orders/db.yaml"), "phase: Ready\n");
      git(dir, "add", "-A");
      git(dir, "commit", "-qm", "status");
      await sleep(600);
      assert.equal(calls.length, 0);

      // An editor saving several files in a row.
      const start = Date.now();
      for (let i = 0; i < 5; i++) {
        writeFileSync(join(dir, "bindops.yaml"), `a: ${i}\n`);
        writeFileSync(join(dir, `consumers/b${i}.yaml`), "b: 1\n");
        await sleep(20);
      }
      await sleep(800);
      assert.equal(calls.length, 1, JSON.stringify(calls));
      assert.ok(calls[0]!.at - start < 1000);
      assert.deepEqual(calls[0]!.changed, [
        "bindops.yaml",
        "consumers/b0.yaml",
        "consumers/b1.yaml",
        "consumers/b2.yaml",
        "consumers/b3.yaml",
        "consumers/b4.yaml",
      ]);
    } finally {
      controller.abort();
    }
    // Stopped: later saves are not reported.
    await sleep(50);
    writeFileSync(join(dir, "bindops.yaml"), "a: 9\n");
    await sleep(500);
    assert.equal(calls.length, 1);
  });
});
