import { backoffDelay } from "./backoff.js";
import { systemClock, type Clock } from "./clock.js";

/** Decides how long a key waits before it is processed again (client-go's `RateLimiter`). */
export interface RateLimiter {
  /** The delay before the key's next attempt; each call counts as one more retry. */
  when(key: string): number;
  /** The key succeeded: its retries start over. */
  forget(key: string): void;
  /** Retries of the key since it was last forgotten. */
  retries(key: string): number;
}

/** Per key, `baseMs · 2^retries` up to `maxMs` (client-go's `ItemExponentialFailureRateLimiter`). */
export class ItemExponentialRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly baseMs = 5,
    private readonly maxMs = 1_000_000,
  ) {}

  when(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    return backoffDelay(this.baseMs, this.maxMs, 2, failures);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

/**
 * One token bucket for all keys (client-go's `BucketRateLimiter` over `rate.Limiter`): `burst`
 * retries go at once, then `qps` per second. A delay is a reservation: later callers queue behind
 * earlier ones.
 */
export class TokenBucketRateLimiter implements RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly qps = 10,
    private readonly burst = 100,
    private readonly clock: Clock = systemClock,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  when(): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.qps) / 1000);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.qps;
  }

  forget(): void {}

  retries(): number {
    return 0;
  }
}

/** The longest delay of several limiters; each counts every call (client-go's `MaxOfRateLimiter`). */
export class MaxOfRateLimiter implements RateLimiter {
  private readonly limiters: RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    this.limiters = limiters;
  }

  when(key: string): number {
    return Math.max(0, ...this.limiters.map((l) => l.when(key)));
  }

  forget(key: string): void {
    for (const limiter of this.limiters) limiter.forget(key);
  }

  retries(key: string): number {
    return Math.max(0, ...this.limiters.map((l) => l.retries(key)));
  }
}

/**
 * client-go's `DefaultControllerRateLimiter`: per key 5 ms doubling to 1000 s, and overall 10
 * retries per second with a burst of 100.
 */
export function defaultControllerRateLimiter(clock: Clock = systemClock): RateLimiter {
  return new MaxOfRateLimiter(
    new ItemExponentialRateLimiter(5, 1_000_000),
    new TokenBucketRateLimiter(10, 100, clock),
  );
}
