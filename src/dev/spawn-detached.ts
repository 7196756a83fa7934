import { spawn } from "node:child_process";
import { closeSync, openSync, writeSync } from "node:fs";
import { BindopsError } from "../core/errors.js";
import type { ProcessRecord } from "./dev-state.js";
import { processStartTime } from "./running-process.js";

export interface SpawnDetachedOptions {
  name: string;
  /** Binary (absolute path) first, then its arguments. */
  argv: string[];
  /** Output goes here, appended, so a restart keeps the earlier run's lines. */
  logPath: string;
  cwd: string;
  /** The whole environment of the process (nothing is inherited). */
  env: Record<string, string>;
}

export interface DetachedProcess {
  record: ProcessRecord;
  /**
   * Settles with a description of how the process ended, if it ends while this process is
   * still alive; lets waits fail fast instead of timing out.
   */
  exited: Promise<string>;
}

/**
 * Starts a long-lived process that outlives bindops: its own process group, no pipes back to us,
 * and not keeping our event loop alive.
 */
export async function spawnDetached(options: SpawnDetachedOptions): Promise<DetachedProcess> {
  const [binary, ...args] = options.argv;
  if (binary === undefined) throw new Error("spawnDetached needs a command");
  const fd = openSync(options.logPath, "a", 0o600);
  try {
    writeSync(fd, `--- bindops: ${new Date().toISOString()} starting ${options.argv.join(" ")}\n`);
    const child = spawn(binary, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ["ignore", fd, fd],
    });
    const exited = new Promise<string>((resolve) => {
      child.once("exit", (code, signal) =>
        resolve(signal === null ? `exit code ${code ?? "?"}` : `signal ${signal}`),
      );
    });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    }).catch((error: unknown) => {
      throw new BindopsError("unreachable", "dev-spawn-failed", `cannot start ${binary}`, {
        cause: error,
      });
    });
    // Later errors (there are none for a running child we never signal here) must not crash us.
    child.on("error", () => undefined);
    child.unref();
    const pid = child.pid;
    if (pid === undefined) throw new Error(`no pid for ${options.name}`);
    return {
      record: {
        name: options.name,
        pid,
        argv: options.argv,
        startTime: processStartTime(pid) ?? "",
        logPath: options.logPath,
      },
      exited,
    };
  } finally {
    closeSync(fd);
  }
}
