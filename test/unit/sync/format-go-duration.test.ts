import assert from "node:assert/strict";
import { formatGoDuration } from "../../../src/sync/provider-connection.js";
import { parseGoDuration } from "../../../src/backend/plan-cluster-binding-health.js";

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

  it("keeps fractions of a second, so that a short interval is not written as 0s", () => {
    assert.equal(formatGoDuration(1_500), "1.5s");
    assert.equal(formatGoDuration(61_250), "1m1.25s");
    assert.equal(formatGoDuration(400), "400ms");
  });

  it("writes what the backend reads back as the same interval", () => {
    for (const ms of [400, 1_500, 30_000, 61_250, 5 * 60_000, 3_661_000]) {
      assert.equal(parseGoDuration(formatGoDuration(ms)), ms, String(ms));
    }
  });
});
