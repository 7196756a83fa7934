import { BindopsError, type ErrorKind } from "../core/errors.js";

/** What a Kubernetes API call ran into, as a stable literal callers can branch on. */
export type KubeErrorCode =
  | "NotFound"
  | "Conflict"
  | "Gone"
  | "Forbidden"
  | "Unauthorized"
  | "Invalid"
  | "Unreachable"
  | "Timeout"
  | "Unknown";

/** Only a request the server found invalid is the user's input; everything else is the cluster refusing. */
const kindOf: Record<KubeErrorCode, ErrorKind> = {
  NotFound: "unreachable",
  Conflict: "unreachable",
  Gone: "unreachable",
  Forbidden: "unreachable",
  Unauthorized: "unreachable",
  Invalid: "invalid",
  Unreachable: "unreachable",
  Timeout: "unreachable",
  Unknown: "unreachable",
};

export interface KubeErrorDetails {
  /** The API server's URL. */
  server?: string;
  /** HTTP status of the answer; absent when there was none. */
  status?: number;
  /** `reason` of the server's `Status` (e.g. `AlreadyExists`), or `UnknownKind` for a kind it does not serve. */
  reason?: string;
  /** The server's own message, verbatim. */
  serverMessage?: string;
  hint?: string;
  cause?: unknown;
}

/**
 * A failed Kubernetes API call. `code` says what happened, `kind` decides the exit code: `Invalid` is
 * the caller's input (exit 2), everything else is the cluster being unreachable or refusing (exit 4).
 */
export class KubeError extends BindopsError {
  declare readonly code: KubeErrorCode;
  readonly status: number | undefined;
  readonly reason: string | undefined;
  readonly serverMessage: string | undefined;
  readonly server: string | undefined;

  constructor(code: KubeErrorCode, message: string, details: KubeErrorDetails = {}) {
    super(kindOf[code], code, message, {
      ...(details.cause === undefined ? {} : { cause: details.cause }),
      ...(details.hint === undefined ? {} : { hint: details.hint }),
    });
    this.name = "KubeError";
    this.status = details.status;
    this.reason = details.reason;
    this.serverMessage = details.serverMessage;
    this.server = details.server;
  }
}

/** True when `error` is a KubeError, and of one of `codes` when any are given. */
export function isKubeError(error: unknown, ...codes: KubeErrorCode[]): error is KubeError {
  return error instanceof KubeError && (codes.length === 0 || codes.includes(error.code));
}
