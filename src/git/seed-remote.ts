import { cpSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { runGit } from "./run-git.js";

/** Environment of git commands that must not read the user's or the system's configuration. */
const hermetic = { GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };

/**
 * Makes `<dir>/remote.git`, a bare repository whose branch `main` holds one commit of `folder`'s
 * files (by `author`), and `<dir>/work`, a clone to edit and push from. Anything already in those
 * two places is replaced. For the demo: a GitOps repository with a real remote in a few seconds.
 */
export async function seedRemote(
  folder: string,
  dir: string,
  author: { name: string; email: string },
  options: { env?: Readonly<Record<string, string | undefined>>; signal?: AbortSignal } = {},
): Promise<{ remote: string; work: string; commit: string }> {
  const remote = path.join(dir, "remote.git");
  const work = path.join(dir, "work");
  rmSync(remote, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(folder, work, { recursive: true, filter: (src) => !src.includes(`${path.sep}.git`) });
  const env = {
    ...options.env,
    ...hermetic,
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: author.name,
    GIT_COMMITTER_EMAIL: author.email,
  };
  const git = (cwd: string, ...args: string[]) =>
    runGit(args, { cwd, env, ...(options.signal ? { signal: options.signal } : {}) });
  await git(dir, "init", "-q", "--bare", "-b", "main", remote);
  await git(work, "init", "-q", "-b", "main");
  await git(work, "add", "-A");
  await git(work, "commit", "-q", "-m", "bindings, templates and CRDs");
  await git(work, "remote", "add", "origin", remote);
  await git(work, "push", "-q", "origin", "main");
  const commit = (await git(work, "rev-parse", "HEAD")).toString("utf8").trim();
  return { remote, work, commit };
}
