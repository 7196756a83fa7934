import { setImmediate as turn } from "node:timers/promises";
import type { Clock, TimerHandle } from "../../src/kube/clock.js";

interface Timer {
  at: number;
  seq: number;
  callback: () => void;
}

/** A clock that moves only when a test says so; timers fire in order of their due time. */
export class ManualClock implements Clock {
  private time = 0;
  private seq = 0;
  private timers = new Set<Timer>();
  /** Every delay ever scheduled, in order: what backoff and rate limits asked for. */
  readonly scheduled: number[] = [];

  now(): number {
    return this.time;
  }

  schedule(ms: number, callback: () => void): TimerHandle {
    const timer = { at: this.time + Math.max(0, ms), seq: this.seq++, callback };
    this.scheduled.push(ms);
    this.timers.add(timer);
    return { cancel: () => this.timers.delete(timer) };
  }

  /** Timers not yet fired or cancelled. */
  get pending(): number {
    return this.timers.size;
  }

  /** The delay until the next timer fires, if any. */
  nextDelay(): number | undefined {
    const next = this.earliest();
    return next === undefined ? undefined : next.at - this.time;
  }

  /** Moves time forward by `ms`, firing due timers and letting the work they start run. */
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    await settle();
    for (;;) {
      const next = this.earliest();
      if (next === undefined || next.at > until) break;
      this.timers.delete(next);
      this.time = next.at;
      next.callback();
      await settle();
    }
    this.time = until;
    await settle();
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) {
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}

/** Lets pending promise callbacks and I/O callbacks run. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await turn();
}

/**
 * Waits, turn by turn of the event loop, until `condition` holds; fails after `rounds` turns. A
 * count of turns rather than a time, so a slow machine does not make a test flaky.
 */
export async function until(
  what: string,
  condition: () => boolean,
  rounds = 10_000,
): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (condition()) return;
    await turn();
  }
  throw new Error(`never came true: ${what}`);
}
