import { execFileSync } from "node:child_process";
import { cpSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./repo-root.js";

/** git without the user's or the system's configuration. */
export const hermeticGitEnv = {
  ...process.env,
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
};

/** Runs git in `cwd` and returns its trimmed output. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env: hermeticGitEnv }).toString("utf8").trim();
}

/** A bare remote holding a copy of examples/, and the working copy that pushed it. */
export interface ExamplesRemote {
  remote: string;
  work: string;
  /** Commits everything in the working copy and pushes it, rebased on what others pushed. */
  push(message: string): void;
}

/**
 * Makes `<dir>/remote.git` with one commit of examples/ (after `prepare` has changed the working
 * copy `<dir>/work`), as a user's GitOps repository on a git server.
 */
export function examplesRemote(dir: string, prepare?: (work: string) => void): ExamplesRemote {
  const remote = path.join(dir, "remote.git");
  const work = path.join(dir, "work");
  git(dir, "init", "-q", "--bare", "-b", "main", remote);
  cpSync(path.join(repoRoot, "examples"), work, { recursive: true });
  prepare?.(work);
  git(work, "init", "-q", "-b", "main");
  git(work, "remote", "add", "origin", remote);
  // The user commits, and replays commits on a pull --rebase.
  const asUser = ["-c", "user.name=dev", "-c", "user.email=dev@example.invalid"];
  const commit = (message: string) => {
    git(work, "add", "-A");
    git(work, ...asUser, "commit", "-qm", message);
  };
  commit("bindings");
  git(work, "push", "-q", "origin", "main");
  return {
    remote,
    work,
    push(message) {
      // Committed first, so that edits and deletions alike are replayed on what bindops pushed.
      commit(message);
      git(work, ...asUser, "pull", "-q", "--rebase", "origin", "main");
      git(work, "push", "-q", "origin", "main");
    },
  };
}
