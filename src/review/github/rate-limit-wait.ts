/** What a refused response says about being rate limited. */
export interface RefusedResponse {
  status: number;
  /** Header names in lower case, as fetch gives them. */
  headers: Readonly<Record<string, string | number | undefined>>;
  message: string;
}

/** GitHub asks to wait at least a minute after a secondary rate limit that names no time. */
const secondaryDefaultMs = 60_000;

/**
 * How long to wait before trying a request again that GitHub refused for its rate limits, as its
 * headers say (GitHub's "Rate limits for the REST API"): `retry-after` seconds; else, when
 * `x-ratelimit-remaining` is 0, until `x-ratelimit-reset` (epoch seconds) and one second more;
 * else, for a 429 or a message about a rate limit, a minute. `undefined` when the response is no
 * rate limit (a 403 for missing permissions).
 */
export function rateLimitWait(response: RefusedResponse, nowMs: number): number | undefined {
  if (response.status !== 403 && response.status !== 429) return undefined;
  const header = (name: string) => {
    const value = response.headers[name];
    return value === undefined ? undefined : String(value);
  };
  const retryAfter = Number(header("retry-after"));
  if (header("retry-after") !== undefined && Number.isFinite(retryAfter) && retryAfter >= 0) {
    return retryAfter * 1000;
  }
  const reset = Number(header("x-ratelimit-reset"));
  if (header("x-ratelimit-remaining") === "0" && Number.isFinite(reset)) {
    return Math.max(0, reset * 1000 - nowMs) + 1000;
  }
  if (response.status === 429 || /rate limit/i.test(response.message)) return secondaryDefaultMs;
  return undefined;
}
