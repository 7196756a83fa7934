import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { BindopsError } from "../core/errors.js";
import type { ProcessRecord } from "./dev-state.js";
import { runningProcess } from "./running-process.js";
import { timeoutSignal } from "../core/timeout-signal.js";

export interface WaitUntilReadyOptions {
  /** Names the process in messages, e.g. `kube-apiserver of cluster "provider"`. */
  what: string;
  process: ProcessRecord;
  /** Settles when a process we spawned ends, with how it ended. */
  exited?: Promise<string>;
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
}

/**
 * Polls `probe` until it answers true. Fails fast when the process dies, and on timeout, with
 * the end of the process's log in the message: that is where the reason is.
 */
export async function waitUntilReady(
  probe: (signal: AbortSignal) => Promise<boolean>,
  options: WaitUntilReadyOptions,
): Promise<void> {
  let exitedWith: string | undefined;
  void options.exited?.then((how) => (exitedWith = how));
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    const attempt = timeoutSignal(5_000, options.signal);
    try {
      if (await probe(attempt.signal)) return;
      lastError = undefined;
    } catch (error) {
      options.signal?.throwIfAborted();
      lastError = error;
    } finally {
      attempt.clear();
    }
    if (exitedWith !== undefined || !runningProcess(options.process)) {
      throw notReady(
        `${options.what} stopped (${exitedWith ?? "exited"}) before it was ready`,
        options,
        lastError,
      );
    }
    if (Date.now() >= deadline) {
      throw notReady(
        `${options.what} was not ready within ${Math.round(options.timeoutMs / 1000)} s`,
        options,
        lastError,
      );
    }
    await sleep(
      options.intervalMs ?? 200,
      undefined,
      options.signal ? { signal: options.signal } : {},
    );
  }
}

function notReady(message: string, options: WaitUntilReadyOptions, cause: unknown): BindopsError {
  const logPath = options.process.logPath;
  const tail = logTail(logPath, 6);
  return new BindopsError(
    "unreachable",
    "dev-not-ready",
    tail.length > 0 ? `${message}; the end of ${logPath}:\n  ${tail.join("\n  ")}` : message,
    {
      // Logs live in <state>/logs/, so the state folder is two levels up.
      hint: `read ${logPath}; \`bindops dev down --state-dir ${path.dirname(path.dirname(logPath))}\` stops what did start`,
      cause,
    },
  );
}

/** The last lines of a log that may be large: only its final 8 KiB are read. */
function logTail(file: string, lines: number): string[] {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return [];
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 8192);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer
      .toString("utf8")
      .split("\n")
      .filter((l) => l.trim().length > 0 && !l.startsWith("--- bindops:"))
      .slice(-lines);
  } finally {
    closeSync(fd);
  }
}
