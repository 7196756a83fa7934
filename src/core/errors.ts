/**
 * Every command exits with one of these codes (docs/exit-codes in the README).
 * `differences` is only used by commands that compare, like `plan --exit-code`.
 */
export const ExitCode = {
  ok: 0,
  differences: 1,
  invalid: 2,
  usage: 3,
  unreachable: 4,
  internal: 70,
  /** Stopped by SIGINT/SIGTERM, as shells report it (128 + SIGINT). */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** What went wrong, from the user's point of view; decides the exit code. */
export type ErrorKind = "invalid" | "usage" | "unreachable" | "internal";

const exitCodeOf: Record<ErrorKind, ExitCode> = {
  invalid: ExitCode.invalid,
  usage: ExitCode.usage,
  unreachable: ExitCode.unreachable,
  internal: ExitCode.internal,
};

/**
 * An expected failure that crosses a boundary: bad input, a cluster or git remote that cannot be
 * reached, a usage mistake. `code` is a stable literal callers can branch on; `hint` tells the user
 * what to do next.
 */
/** Marks bindops's errors, so that one loaded twice (two module instances) is still recognised. */
const brand = Symbol.for("bindops.error");

export class BindopsError extends Error {
  /**
   * `instanceof BindopsError` holds for any bindops error, also one made by another copy of this
   * module; subclasses keep the ordinary prototype check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== BindopsError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === "object" && value !== null && brand in value;
  }

  readonly [brand] = true;
  readonly kind: ErrorKind;
  readonly code: string;
  readonly hint: string | undefined;

  constructor(
    kind: ErrorKind,
    code: string,
    message: string,
    options: { cause?: unknown; hint?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "BindopsError";
    this.kind = kind;
    this.code = code;
    this.hint = options.hint;
  }

  get exitCode(): ExitCode {
    return exitCodeOf[this.kind];
  }
}

/** A bug: something that should not happen whatever the input. Exits 70. */
export class InternalError extends BindopsError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("internal", "internal", message, options);
    this.name = "InternalError";
  }
}

/** The exit code for anything thrown: a BindopsError knows its own, anything else is a bug. */
export function exitCodeFor(error: unknown): ExitCode {
  return error instanceof BindopsError ? error.exitCode : ExitCode.internal;
}
