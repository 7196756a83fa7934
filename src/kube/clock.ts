/** A handle of a scheduled callback, to cancel it. */
export interface TimerHandle {
  cancel(): void;
}

/**
 * Time as the informers and the work queue see it. The system clock in production; tests pass a
 * manual one, so that backoff and rate limits are checked without waiting.
 */
export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Calls `callback` once after `ms`; the handle cancels it. Keeps the process alive. */
  schedule(ms: number, callback: () => void): TimerHandle;
}

/** The system clock: `performance.now()` and `setTimeout`. */
export const systemClock: Clock = {
  now: () => performance.now(),
  schedule(ms, callback) {
    const timer = setTimeout(callback, Math.max(0, ms));
    return { cancel: () => clearTimeout(timer) };
  },
};

/**
 * Waits `ms` on `clock`; rejects with the signal's reason when it aborts first, leaving no timer
 * behind.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      handle.cancel();
      reject(signal?.reason as Error);
    };
    const handle = clock.schedule(ms, () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
