import { simpleGit } from "simple-git";
import { BindopsError } from "../core/errors.js";

/** What changed in a repository since a revision, relative to the folder asked about. */
export interface ChangedFiles {
  /** Added or modified since the revision, committed or not, and untracked (not ignored) files. */
  changed: Set<string>;
  /** Deleted since the revision: what referenced them may no longer resolve. */
  deleted: Set<string>;
}

/**
 * Files changed since `revision` in the repository that holds `root`. Paths are relative to
 * `root`, with forward slashes. A revision that starts with `-` is refused: it would reach git as
 * an option.
 */
export async function changedFiles(
  root: string,
  revision: string,
  options: { signal?: AbortSignal } = {},
): Promise<ChangedFiles> {
  if (revision.startsWith("-") || revision.trim() === "") {
    throw new BindopsError("usage", "invalid-revision", `"${revision}" is not a git revision`, {
      hint: "name a branch, tag or commit, e.g. --changed-since origin/main",
    });
  }
  const git = simpleGit({
    baseDir: root,
    ...(options.signal ? { abort: options.signal } : {}),
  });
  let prefix: string;
  let commit: string;
  try {
    prefix = (await git.revparse(["--show-prefix"])).trim();
  } catch (error) {
    throw gitError(error, root);
  }
  const unknownRevision = (cause?: unknown) =>
    new BindopsError("usage", "unknown-revision", `git does not know revision "${revision}"`, {
      ...(cause === undefined ? {} : { cause }),
      hint: "fetch enough history (e.g. actions/checkout with fetch-depth: 0) or name an existing revision",
    });
  try {
    const args = ["rev-parse", "--verify", "--quiet", "--end-of-options", `${revision}^{commit}`];
    commit = (await git.raw(args)).trim();
  } catch (error) {
    throw unknownRevision(error);
  }
  // With --quiet, an unknown revision is an empty answer rather than an error.
  if (!/^[0-9a-f]{40,64}$/.test(commit)) throw unknownRevision();
  try {
    const diff = await git.raw(["diff", "--name-status", "--no-renames", "-z", commit, "--", "."]);
    const untracked = await git.raw([
      "ls-files",
      "--others",
      "--exclude-standard",
      "-z",
      "--",
      ".",
    ]);
    const result: ChangedFiles = { changed: new Set(), deleted: new Set() };
    // -z --name-status: status and path alternate, each NUL-terminated.
    const fields = diff.split("\0");
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const [status, file] = [fields[i]!, fields[i + 1]!];
      if (!file.startsWith(prefix)) continue;
      (status === "D" ? result.deleted : result.changed).add(file.slice(prefix.length));
    }
    // ls-files answers relative to the current directory already.
    for (const file of untracked.split("\0")) if (file) result.changed.add(file);
    return result;
  } catch (error) {
    throw gitError(error, root);
  }
}

function gitError(error: unknown, root: string): BindopsError {
  const message = error instanceof Error ? error.message.trim() : String(error);
  if (/not a git repository/i.test(message)) {
    return new BindopsError(
      "usage",
      "not-a-git-repository",
      `${root} is not inside a git repository`,
      {
        cause: error,
        hint: "--changed-since needs a git checkout; drop it to validate every file",
      },
    );
  }
  if (/ENOENT|spawn git/i.test(message)) {
    return new BindopsError("unreachable", "git-missing", "git is not installed or not on PATH", {
      cause: error,
    });
  }
  return new BindopsError("unreachable", "git-failed", `git failed in ${root}: ${message}`, {
    cause: error,
  });
}
