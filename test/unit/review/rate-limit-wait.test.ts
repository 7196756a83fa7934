import assert from "node:assert/strict";
import { rateLimitWait } from "../../../src/review/github/rate-limit-wait.js";

const now = 1_700_000_000_000;

describe("rateLimitWait (GitHub's rate-limit headers)", () => {
  it("waits retry-after seconds", () => {
    assert.equal(
      rateLimitWait({ status: 429, headers: { "retry-after": "3" }, message: "" }, now),
      3000,
    );
    assert.equal(
      rateLimitWait({ status: 403, headers: { "retry-after": "0" }, message: "" }, now),
      0,
    );
  });

  it("waits until x-ratelimit-reset, and a second more, when none remain", () => {
    const headers = { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(now / 1000 + 10) };
    assert.equal(
      rateLimitWait({ status: 403, headers, message: "API rate limit exceeded" }, now),
      11_000,
    );
    const past = { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(now / 1000 - 10) };
    assert.equal(rateLimitWait({ status: 403, headers: past, message: "" }, now), 1000);
  });

  it("waits a minute for a secondary limit that names no time", () => {
    const message = "You have exceeded a secondary rate limit. Please wait a few minutes.";
    assert.equal(rateLimitWait({ status: 403, headers: {}, message }, now), 60_000);
    assert.equal(rateLimitWait({ status: 429, headers: {}, message: "" }, now), 60_000);
  });

  it("is no rate limit for a 403 about permissions, or another status", () => {
    const headers = { "x-ratelimit-remaining": "4999" };
    assert.equal(
      rateLimitWait(
        { status: 403, headers, message: "Resource not accessible by integration" },
        now,
      ),
      undefined,
    );
    assert.equal(
      rateLimitWait({ status: 500, headers: { "retry-after": "1" }, message: "" }, now),
      undefined,
    );
  });
});
