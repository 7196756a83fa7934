import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { git, gitEnv } from "./git.js";

/** A bare remote with `main` as its default branch, and a clone of it to commit and push from. */
export interface TestRemote {
  /** The folder holding everything; removed by `remove()`. */
  top: string;
  /** The bare repository: what a source is given. */
  remote: string;
  /** A clone with a work tree. */
  work: string;
  /** The cache folder for sources of this test. */
  cacheDir: string;
  /** Writes the files (path → text, `null` deletes), commits them and returns the commit. */
  commit(files: Record<string, string | null>, message?: string): string;
  /** Pushes the clone's `main` (forced when asked). */
  push(force?: boolean): void;
  /** The remote's `main`. */
  tip(branch?: string): string;
  remove(): void;
}

/** git's environment for the code under test: hermetic, like the tests' own git. */
export const sourceEnv = { ...gitEnv };

export function testRemote(): TestRemote {
  const top = mkdtempSync(join(tmpdir(), "bindops-source-"));
  const remote = join(top, "remote.git");
  const work = join(top, "work");
  git(top, "init", "-q", "--bare", "-b", "main", remote);
  git(top, "init", "-q", "-b", "main", work);
  git(work, "remote", "add", "origin", remote);
  const self: TestRemote = {
    top,
    remote,
    work,
    cacheDir: join(top, "cache"),
    commit(files, message = "change") {
      for (const [path, text] of Object.entries(files)) {
        const file = join(work, path);
        if (text === null) rmSync(file, { force: true });
        else {
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, text);
        }
      }
      git(work, "add", "-A");
      git(work, "commit", "-q", "--allow-empty", "-m", message);
      return git(work, "rev-parse", "HEAD").trim();
    },
    push(force = false) {
      git(work, "push", "-q", ...(force ? ["--force"] : []), "origin", "main");
    },
    tip(branch = "main") {
      return git(remote, "rev-parse", branch).trim();
    },
    remove() {
      rmSync(top, { recursive: true, force: true });
    },
  };
  return self;
}
