/**
 * A signal that aborts after `ms`, or when `parent` aborts, whichever comes first; call `clear()`
 * once the work is done. Unlike `AbortSignal.any([AbortSignal.timeout(ms), ...])`, the timer here
 * is an ordinary one that keeps the signal alive: on Node 20 a timeout signal nobody else holds
 * can be garbage-collected before it fires, and a request waiting on it then waits forever.
 */
export function timeoutSignal(
  ms: number,
  parent?: AbortSignal,
): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException(`timed out after ${ms} ms`, "TimeoutError")),
    ms,
  );
  const onAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted) onAbort();
  else parent?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      parent?.removeEventListener("abort", onAbort);
    },
  };
}
