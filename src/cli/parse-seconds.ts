import { BindopsError } from "../core/errors.js";

/** A number of seconds from an option's value, or a usage error (exit 3) naming the option. */
export function parseSeconds(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    throw new BindopsError(
      "usage",
      "bad-seconds",
      `${flag} ${value}: a number of seconds, 0 or more`,
    );
  }
  return n;
}
