import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { timeoutSignal } from "../../../src/core/timeout-signal.js";
import { repoRoot } from "../../support/repo-root.js";

describe("timeoutSignal", () => {
  it("aborts with a TimeoutError after the time given", async () => {
    const { signal } = timeoutSignal(20);
    await new Promise((resolve) => signal.addEventListener("abort", resolve));
    assert.equal((signal.reason as DOMException).name, "TimeoutError");
  });

  it("aborts with the parent's reason when the parent aborts first", () => {
    const parent = new AbortController();
    const { signal, clear } = timeoutSignal(60_000, parent.signal);
    parent.abort(new Error("stop"));
    assert.equal((signal.reason as Error).message, "stop");
    clear();
  });

  it("does not fire once cleared", async () => {
    const { signal, clear } = timeoutSignal(10);
    clear();
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(signal.aborted, false);
  });

  it("still fires after a garbage collection when nothing else holds it", function () {
    this.timeout(20_000);
    // A request to a server that never answers, its timeout signal held by nobody but the
    // request, and a full GC in between: it must still time out.
    const script = `
      import net from "node:net";
      import http from "node:http";
      import { timeoutSignal } from "./src/core/timeout-signal.ts";
      const server = net.createServer(() => {}).listen(0, "127.0.0.1", () => {
        const { port } = server.address();
        const req = http.get({ host: "127.0.0.1", port, signal: timeoutSignal(300).signal });
        req.on("error", (e) => { console.log(e.name); process.exit(0); });
        setTimeout(() => globalThis.gc(), 50);
        setTimeout(() => { console.log("hung"); process.exit(1); }, 5000).unref();
      });
    `;
    const out = execFileSync(
      process.execPath,
      ["--expose-gc", "--import", "tsx", "--input-type=module", "-e", script],
      { cwd: repoRoot, encoding: "utf8" },
    );
    assert.equal(out.trim(), "AbortError");
  });
});
