/** How a delay grows between attempts. */
export interface BackoffOptions {
  /** The first delay. */
  initialMs: number;
  /** No delay is longer than this. */
  maxMs: number;
  /** Each delay is this times the one before. Default 2. */
  factor?: number;
  /**
   * Up to this fraction of a delay is taken off at random, so that many clients that failed
   * together do not retry together. Default 0 (none).
   */
  jitter?: number;
  /** A number in [0, 1); default `Math.random`. Tests pass a fixed one. */
  random?: () => number;
}

/**
 * A capped exponential backoff: `next()` returns the delay before the next attempt, `reset()`
 * starts over after a success.
 */
export class Backoff {
  private attempts = 0;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(private readonly options: BackoffOptions) {
    this.factor = options.factor ?? 2;
    this.jitter = options.jitter ?? 0;
    this.random = options.random ?? Math.random;
  }

  /** Failures since the last reset. */
  get failures(): number {
    return this.attempts;
  }

  /** The delay before the next attempt: `initialMs · factor^failures`, at most `maxMs`, jittered. */
  next(): number {
    const base = backoffDelay(
      this.options.initialMs,
      this.options.maxMs,
      this.factor,
      this.attempts,
    );
    this.attempts += 1;
    return base - base * this.jitter * this.random();
  }

  reset(): void {
    this.attempts = 0;
  }
}

/** `initialMs · factor^failures`, capped at `maxMs` (and safe against overflow). */
export function backoffDelay(
  initialMs: number,
  maxMs: number,
  factor: number,
  failures: number,
): number {
  const exponent = Math.min(failures, 1_000);
  const delay = initialMs * Math.pow(factor, exponent);
  return Number.isFinite(delay) ? Math.min(delay, maxMs) : maxMs;
}
