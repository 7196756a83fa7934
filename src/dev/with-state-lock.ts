import { mkdir, open, readFile, unlink } from "node:fs/promises";
import path from "node:path";
import { kill } from "node:process";
import { BindopsError } from "../core/errors.js";

/**
 * Runs `fn` holding `<stateDir>.lock`, so that two `dev up`/`dev down` on one state folder never
 * interleave (two etcds on one data folder, tokens overwritten). A lock left by a process that
 * is gone is taken over; one held by a live process is a usage error naming it.
 */
export async function withStateLock<T>(
  stateDir: string,
  pid: number,
  fn: () => Promise<T>,
): Promise<T> {
  const lock = `${path.resolve(stateDir)}.lock`;
  await mkdir(path.dirname(lock), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lock, "wx", 0o600);
      await handle.writeFile(String(pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw error;
      const holder = Number((await readFile(lock, "utf8").catch(() => "")).trim());
      if (holder > 0 && holder !== pid && isAlive(holder)) {
        throw new BindopsError(
          "usage",
          "dev-state-busy",
          `another bindops (pid ${holder}) is starting or stopping the clusters in ${stateDir}`,
          { hint: `wait for it to finish, or remove ${lock} if that process is not bindops` },
        );
      }
      await unlink(lock).catch(() => undefined);
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}

function isAlive(pid: number): boolean {
  try {
    kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
