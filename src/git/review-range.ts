import { BindopsError } from "../core/errors.js";
import { GitCommandError, runGit } from "./run-git.js";

/** The two commits a review compares, and where the reviewed folder is in the repository. */
export interface ReviewRange {
  /** The merge base of the base revision and the head: what a pull request's diff starts from. */
  base: string;
  head: string;
  /** The base revision as it was found (`origin/main`, or as given). */
  baseRevision: string;
  /** The folder, relative to the repository's top level: `""` or `examples/`. */
  prefix: string;
}

/** Branches tried, in order, when no base is given and the remote names no default branch. */
const defaultBranches = ["origin/main", "origin/master", "main", "master"];

/**
 * Resolves the revisions of a review in the repository holding `root`: the head (as given), and
 * the merge base of the head and the base revision, so that what the base branch gained meanwhile
 * is not shown as undone, as a pull request's diff does. Without a base, the remote's default
 * branch (`origin/HEAD`), else the first of origin/main, origin/master, main, master. Revisions
 * that start with `-` are refused: they would reach git as options.
 */
export async function resolveReviewRange(
  root: string,
  revisions: { base?: string | undefined; head: string },
  options: { signal?: AbortSignal } = {},
): Promise<ReviewRange> {
  const git = async (...args: string[]) =>
    (await runGit(args, { cwd: root, ...(options.signal ? { signal: options.signal } : {}) }))
      .toString("utf8")
      .trim();
  let prefix: string;
  try {
    prefix = await git("rev-parse", "--show-prefix");
  } catch (error) {
    if (error instanceof BindopsError) throw error;
    throw new BindopsError(
      "usage",
      "not-a-git-repository",
      `${root} is not inside a git repository`,
      {
        cause: error,
        hint: "bindops review reads two revisions from git; run it in a clone",
      },
    );
  }
  const commit = async (revision: string, flag: string): Promise<string> => {
    if (revision.startsWith("-") || revision.trim() === "") {
      throw new BindopsError(
        "usage",
        "invalid-revision",
        `${flag} "${revision}" is not a git revision`,
      );
    }
    const found = await git(
      "rev-parse",
      "--verify",
      "--quiet",
      "--end-of-options",
      `${revision}^{commit}`,
    ).catch(() => "");
    if (!/^[0-9a-f]{40,64}$/.test(found)) {
      throw new BindopsError(
        "usage",
        "unknown-revision",
        `git does not know revision "${revision}" (${flag})`,
        {
          hint: "fetch enough history (e.g. actions/checkout with fetch-depth: 0) or name an existing revision",
        },
      );
    }
    return found;
  };
  const head = await commit(revisions.head, "--head");
  const baseRevision = revisions.base ?? (await defaultBranch(git));
  const base = await commit(baseRevision, "--base");
  let mergeBase: string;
  try {
    mergeBase = await git("merge-base", base, head);
  } catch (error) {
    if (!(error instanceof GitCommandError)) throw error;
    throw new BindopsError(
      "usage",
      "no-merge-base",
      `${baseRevision} and ${revisions.head} have no common history here`,
      {
        cause: error,
        hint: "fetch the whole history (actions/checkout with fetch-depth: 0), or name the base commit with --base",
      },
    );
  }
  return { base: mergeBase, head, baseRevision, prefix };
}

async function defaultBranch(git: (...args: string[]) => Promise<string>): Promise<string> {
  const remoteHead = await git(
    "symbolic-ref",
    "--quiet",
    "--short",
    "refs/remotes/origin/HEAD",
  ).catch(() => "");
  if (remoteHead !== "") return remoteHead;
  for (const branch of defaultBranches) {
    const found = await git("rev-parse", "--verify", "--quiet", `${branch}^{commit}`).catch(
      () => "",
    );
    if (found !== "") return branch;
  }
  throw new BindopsError("usage", "no-base", "no default branch to review against", {
    hint: "name the base revision: --base origin/main",
  });
}
