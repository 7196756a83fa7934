import { setTimeout as sleep } from "node:timers/promises";

/**
 * Retries `check` until it returns a value other than `undefined`, for state that a controller
 * reaches on its own time. Fails with `what` and the last error after `timeoutMs` (default 30 s).
 */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    }
    await sleep(200);
  }
}
