import type { ProcessResult } from "../kube/work-queue.js";
import { isKubeError } from "../kube/kube-error.js";

/**
 * Wraps a reconcile so that a 409 (another writer changed the object, or created it first) looks
 * again soon with fresh caches instead of counting as a failure: with several writers on one
 * object it is the normal case, not an error worth a warning and a growing backoff.
 */
export function requeueOnConflict(
  reconcile: (key: string, options: { signal: AbortSignal }) => Promise<ProcessResult | void>,
  delayMs = 200,
): (key: string, options: { signal: AbortSignal }) => Promise<ProcessResult | void> {
  return async (key, options) => {
    try {
      return await reconcile(key, options);
    } catch (error) {
      if (isKubeError(error, "Conflict") && !options.signal.aborted)
        return { requeueAfter: delayMs };
      throw error;
    }
  };
}
