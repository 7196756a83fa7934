import { BindopsError } from "../core/errors.js";
import { runGit } from "./run-git.js";

/**
 * The commit at or before `revision` that last changed anything outside `statusPath`: the
 * revision whose content a reconcile applies. Status commits change only `status/`, so they never
 * make a new content revision, and reconciling after one changes nothing.
 */
export async function contentRevision(
  repo: string,
  revision: string,
  statusPath: string,
  options: { signal?: AbortSignal } = {},
): Promise<string> {
  if (revision.startsWith("-")) {
    throw new BindopsError("usage", "git-bad-revision", `"${revision}" is not a revision`);
  }
  const out = await runGit(
    ["log", "-1", "--format=%H", revision, "--", ".", `:(exclude)${statusPath}`],
    { cwd: repo, ...(options.signal ? { signal: options.signal } : {}) },
  );
  const sha = out.toString("utf8").trim();
  if (sha !== "") return sha;
  // A history of status commits only: the revision itself.
  return (
    await runGit(["rev-parse", "--verify", `${revision}^{commit}`], {
      cwd: repo,
      ...(options.signal ? { signal: options.signal } : {}),
    })
  )
    .toString("utf8")
    .trim();
}
