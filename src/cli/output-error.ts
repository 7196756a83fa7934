import { BindopsError } from "../core/errors.js";

/** What the system says when a write fails for reasons outside bindops, in words. */
const writeFailures: Record<string, string> = {
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large",
  EIO: "input/output error",
  EBADF: "not open for writing",
  EPIPE: "the reader closed the pipe",
  ECONNRESET: "the reader closed the connection",
  EROFS: "read-only file system",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EAGAIN: "would block",
};

/**
 * A failed write (a full disk, a closed pipe, a read-only file system) as an expected error that
 * names the stream: the environment refused, bindops has no bug (exit 4, not 70). `undefined`
 * for anything else.
 */
export function outputError(error: unknown, stream = "the output"): BindopsError | undefined {
  if (error instanceof BindopsError || !(error instanceof Error)) return undefined;
  const { code, syscall } = error as NodeJS.ErrnoException;
  if (code === undefined || syscall !== "write") return undefined;
  const reason = writeFailures[code];
  if (reason === undefined) return undefined;
  const full = code === "ENOSPC" || code === "EDQUOT";
  return new BindopsError(
    "unreachable",
    "output-failed",
    `cannot write ${stream}: ${reason} (${code})`,
    {
      cause: error,
      ...(full ? { hint: "free some space, or write the output elsewhere" } : {}),
    },
  );
}
