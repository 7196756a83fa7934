import { createHash } from "node:crypto";
import { BindopsError } from "../core/errors.js";
import { isReadable, workingTree, type Snapshot } from "../core/snapshot.js";
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

/**
 * The revision of a folder's content as it is now, saved but not committed:
 * `working-tree-<first 12 hex digits of a SHA-256 of every file outside statusPath>`. It names the
 * content, so the same files give the same revision and any saved change a new one, as a commit
 * would; what bindops writes under `statusPath` never changes it.
 */
export function workingTreeRevision(snapshot: Snapshot, statusPath: string): string {
  const hash = createHash("sha256");
  for (const [path, file] of [...snapshot.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (path.startsWith(`${statusPath}/`)) continue;
    const bytes = isReadable(file) ? file : Buffer.from(`refused: ${file.rule}`);
    hash.update(`${path}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  return `${workingTree}-${hash.digest("hex").slice(0, 12)}`;
}
