import { execFileSync } from "node:child_process";

/** git as the tests run it: no user or system config, a fixed identity. */
export const gitEnv: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "bindops tests",
  GIT_AUTHOR_EMAIL: "tests@example.invalid",
  GIT_COMMITTER_NAME: "bindops tests",
  GIT_COMMITTER_EMAIL: "tests@example.invalid",
};

/** Runs `git <args>` in `cwd` and returns its output. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env: gitEnv, encoding: "utf8" });
}
