import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { PassThrough } from "node:stream";
import { createLogger, type LoggerOptions } from "../../../src/cli/logger.js";

function capture(options: Omit<LoggerOptions, "stream">) {
  const stream = new PassThrough();
  let written = "";
  stream.setEncoding("utf8").on("data", (d: string) => (written += d));
  return { logger: createLogger({ ...options, stream }), written: () => written };
}

describe("the CLI's logger", () => {
  it("writes lines at or above its level, as JSON or as text, and drops the rest", () => {
    const json = capture({ level: "info", format: "json", color: false });
    json.logger.debug({ files: 3 }, "not shown");
    json.logger.info({ files: 3 }, "validating");
    json.logger.child({ cluster: "provider" }).warn("slow");
    const lines = json
      .written()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg, l.files ?? l.cluster]),
      [
        [30, "validating", 3],
        [40, "slow", "provider"],
      ],
    );

    const text = capture({ level: "debug", format: "text", color: false });
    text.logger.trace("not shown");
    text.logger.debug({ files: 3 }, "validating");
    assert.match(text.written(), /DEBUG: validating \{"files":3\}/);
    assert.doesNotMatch(text.written(), /not shown/);
    assert.equal(text.logger.level, "debug");
  });

  it("does not load pino until a line at its level is written", () => {
    // In a process of its own: whether pino was loaded is read from the module cache.
    const script = `
      import { createRequire } from "node:module";
      import { createLogger } from "./src/cli/logger.ts";
      const cache = createRequire(import.meta.url).cache;
      const loaded = () => Object.keys(cache).some((f) => /node_modules\\/pino\\//.test(f));
      const logger = createLogger({ level: "info", format: "text", stream: process.stderr, color: false });
      logger.debug("not shown");
      const before = loaded();
      logger.info("shown");
      console.log(JSON.stringify({ before, after: loaded() }));
    `;
    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      { encoding: "utf8" },
    );
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout), { before: false, after: true });
    assert.match(child.stderr, /INFO: shown/);
  });
});
