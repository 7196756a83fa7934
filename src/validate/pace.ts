/**
 * Lets a long synchronous loop give the event loop a turn now and then, so that a signal (Ctrl-C,
 * SIGTERM) or a timer is handled while it runs, and stops the loop once `signal` is aborted.
 * Yields only when `sliceMs` have passed since the last turn: a few turns per second cost nothing
 * measurable, where a turn per file would.
 */
export interface Pace {
  /** Whether the loop should `await` {@link Pace.turn} now; cheap enough to ask per item. */
  due(): boolean;
  /** Gives the event loop a turn, then throws if the run was aborted meanwhile. */
  turn(): Promise<void>;
}

/** Options of {@link createPace}. */
export interface PaceOptions {
  signal?: AbortSignal | undefined;
  /** How long the loop may run between turns; 0 yields at every item. Default 50 ms. */
  sliceMs?: number | undefined;
}

export function createPace(options: PaceOptions = {}): Pace {
  const { signal } = options;
  const sliceMs = options.sliceMs ?? 50;
  let last = performance.now();
  return {
    due: () => {
      signal?.throwIfAborted();
      return performance.now() - last >= sliceMs;
    },
    turn: async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      last = performance.now();
      signal?.throwIfAborted();
    },
  };
}
