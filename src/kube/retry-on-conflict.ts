import { Backoff } from "./backoff.js";
import { sleep, systemClock, type Clock } from "./clock.js";
import { isKubeError } from "./kube-error.js";

export interface RetryOnConflictOptions {
  /** Attempts in all, the first included. Default 5, as client-go's `DefaultRetry`. */
  attempts?: number;
  /** Delay before the first retry; it doubles (with jitter) up to `maxDelayMs`. Default 10 ms. */
  initialDelayMs?: number;
  /** Default 1 s. */
  maxDelayMs?: number;
  clock?: Clock;
  signal?: AbortSignal;
}

/**
 * Runs `fn` again while it fails with `Conflict` (another writer changed the object since `fn`
 * read it), as client-go's `RetryOnConflict`. `fn` must read the object afresh on every call and
 * apply its change to what it read; after the last attempt the conflict is thrown.
 *
 * ```ts
 * await retryOnConflict(async () => {
 *   const current = await client.get(ref);
 *   await client.update(mutate(current));
 * });
 * ```
 */
export async function retryOnConflict<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOnConflictOptions = {},
): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 5);
  const clock = options.clock ?? systemClock;
  const backoff = new Backoff({
    initialMs: options.initialDelayMs ?? 10,
    maxMs: options.maxDelayMs ?? 1_000,
    jitter: 0.1,
  });
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (error) {
      // AlreadyExists is a 409 too, but reading again does not make it go away.
      const conflict = isKubeError(error, "Conflict") && error.reason !== "AlreadyExists";
      if (!conflict || attempt >= attempts) throw error;
    }
    await sleep(clock, backoff.next(), options.signal);
  }
}
