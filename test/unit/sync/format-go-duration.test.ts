import assert from "node:assert/strict";
import { formatGoDuration } from "../../../src/sync/provider-connection.js";

describe("formatGoDuration", () => {
  it("writes the heartbeat interval as Go prints a duration", () => {
    assert.equal(formatGoDuration(5 * 60_000), "5m0s");
    assert.equal(formatGoDuration(30_000), "30s");
    assert.equal(formatGoDuration(3_600_000), "1h0m0s");
    assert.equal(formatGoDuration(3_661_000), "1h1m1s");
    assert.equal(formatGoDuration(90 * 60_000), "1h30m0s");
    assert.equal(formatGoDuration(26 * 3_600_000), "26h0m0s");
    assert.equal(formatGoDuration(0), "0s");
  });
});
