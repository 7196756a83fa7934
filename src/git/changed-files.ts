import { simpleGit } from "simple-git";
import { BindopsError } from "../core/errors.js";

/**
 * Files changed since `revision` in the repository that holds `root`: committed changes since the
 * revision, uncommitted edits and untracked (not ignored) files. Paths are relative to `root`, with
 * forward slashes; deleted files are left out (there is nothing to validate in them).
 */
export async function changedFiles(
  root: string,
  revision: string,
  options: { signal?: AbortSignal } = {},
): Promise<Set<string>> {
  const git = simpleGit({
    baseDir: root,
    ...(options.signal ? { abort: options.signal } : {}),
  });
  try {
    const prefix = (await git.revparse(["--show-prefix"])).trim();
    await git.revparse(["--verify", "--quiet", `${revision}^{commit}`]);
    const diff = await git.raw([
      "diff",
      "--name-only",
      "--no-renames",
      "--diff-filter=d",
      "-z",
      revision,
      "--",
      ".",
    ]);
    const untracked = await git.raw([
      "ls-files",
      "--others",
      "--exclude-standard",
      "-z",
      "--",
      ".",
    ]);
    const files = new Set<string>();
    for (const file of diff.split("\0")) {
      if (file && file.startsWith(prefix)) files.add(file.slice(prefix.length));
    }
    // ls-files answers relative to the current directory already.
    for (const file of untracked.split("\0")) if (file) files.add(file);
    return files;
  } catch (error) {
    const message = error instanceof Error ? error.message.trim() : String(error);
    if (/not a git repository/i.test(message)) {
      throw new BindopsError(
        "usage",
        "not-a-git-repository",
        `${root} is not inside a git repository`,
        {
          cause: error,
          hint: "--changed-since needs a git checkout; drop it to validate every file",
        },
      );
    }
    throw new BindopsError(
      "usage",
      "unknown-revision",
      `git does not know revision "${revision}"`,
      {
        cause: error,
        hint: "fetch enough history (e.g. actions/checkout with fetch-depth: 0) or name an existing revision",
      },
    );
  }
}
