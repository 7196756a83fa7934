import type { Logger } from "pino";
import { BindopsError } from "../core/errors.js";
import type { Snapshot } from "../core/snapshot.js";
import { timeoutSignal } from "../core/timeout-signal.js";
import { CachedRepository, isSafeRefName, trackingRef } from "./cached-repository.js";
import type { GitEnvironment } from "./git-remote.js";
import { readRevisionSnapshot } from "./read-revision-snapshot.js";

/** Options of {@link openSource}. */
export interface SourceOptions {
  /** A remote URL (`https://…`, `ssh://…`, `git@host:path`, `file://…`) or a path to a repository. */
  repo: string;
  /** The branch to follow; the remote's default branch when absent. */
  branch?: string;
  /** A fixed revision (commit, tag or branch name) to serve instead of the branch's tip. */
  rev?: string;
  /** The cache folder; the repository is kept under `<cacheDir>/repos/<hash of the remote>`. */
  cacheDir: string;
  /** git's environment; `BINDOPS_GIT_TOKEN` in it authenticates to an https remote. */
  env: GitEnvironment;
  logger: Logger;
  /** Longest time one fetch may take. Default 2 minutes. */
  fetchTimeoutMs?: number;
}

/** What one {@link Source.fetch} found. */
export interface FetchResult {
  /** The commit served. */
  revision: string;
  /** The manifests of that commit. */
  snapshot: Snapshot;
  /** The branch the revision is (or, with `rev`, the status is committed to) on. */
  branch: string;
  /**
   * The branch was rewritten: its new tip does not descend from the one fetched before. The new
   * tip is served all the same; this says the history the last reconcile saw is gone.
   */
  forcePushed: boolean;
  /** The tip fetched before this one, if any. */
  previous?: string;
}

/** A git remote followed through a local cache. Open with {@link openSource}. */
export interface Source {
  /** The remote as it may be shown (credentials in a URL replaced by `***`). */
  readonly remote: string;
  /** The bare repository of the cache. */
  readonly gitDir: string;
  /**
   * Fetches the branch (or the fixed revision) and reads its commit. Errors are `BindopsError`s
   * of kind `unreachable` (exit 4): `remote-unreachable`, `bad-credentials`, `missing-branch`,
   * `missing-revision`; the cache keeps what it had, so the last good revision can be served on.
   */
  fetch(options?: { signal?: AbortSignal }): Promise<FetchResult>;
  /** Waits for the operation under way; the cache stays for the next run. */
  close(): Promise<void>;
}

const sources = new WeakMap<
  Source,
  { repository: CachedRepository; branch: () => Promise<string> }
>();

/** The cache and branch behind a source, for the other operations of `src/git`. */
export function sourceInternals(source: Source): {
  repository: CachedRepository;
  branch: () => Promise<string>;
} {
  const internals = sources.get(source);
  if (internals === undefined) throw new TypeError("not a source made by openSource");
  return internals;
}

/**
 * A source of snapshots from a git remote (a URL, or the path of another repository, bare or
 * not). The remote is cloned once into the cache folder (bare, one commit deep) and fetched on
 * each {@link Source.fetch}; revisions are read from git's objects, never checked out. Nothing
 * touches the network until the first fetch.
 */
export function openSource(options: SourceOptions): Source {
  for (const [flag, value] of [
    ["--branch", options.branch],
    ["--rev", options.rev],
  ] as const) {
    if (value !== undefined && !isSafeRefName(value)) {
      throw new BindopsError(
        "usage",
        "invalid-revision",
        `${flag} "${value}" is not a git ref name`,
      );
    }
  }
  if (options.repo.trim() === "" || options.repo.startsWith("-")) {
    throw new BindopsError("usage", "invalid-repository", `"${options.repo}" is not a repository`);
  }
  const repository = new CachedRepository(
    options.repo,
    options.cacheDir,
    options.env,
    options.logger,
  );
  const logger = options.logger.child({ remote: repository.display });
  let branch: string | undefined = options.branch;
  let closed = false;
  const timeoutMs = options.fetchTimeoutMs ?? 120_000;

  const resolveBranch = async (signal?: AbortSignal): Promise<string> => {
    branch ??= await repository.defaultBranch(signal);
    return branch;
  };

  const fetchOnce = async (signal: AbortSignal): Promise<FetchResult> => {
    await repository.ensure(signal);
    const name = await resolveBranch(signal);
    if (options.rev !== undefined) {
      const revision = await fetchRevision(repository, options.rev, name, signal);
      const snapshot = await readRevisionSnapshot(repository.gitDir, revision, { signal });
      return { revision, snapshot, branch: name, forcePushed: false };
    }
    const previous = await repository.resolve(trackingRef(name), signal);
    const revision = await repository.fetchBranch(name, signal);
    const forcePushed =
      previous !== undefined && !(await isAncestor(repository, previous, revision, signal));
    if (forcePushed) {
      logger.warn(
        { branch: name, previous, revision },
        "the branch was force-pushed: its new tip does not descend from the last one fetched",
      );
    }
    const snapshot = await readRevisionSnapshot(repository.gitDir, revision, { signal });
    logger.debug({ branch: name, revision }, "fetched");
    return {
      revision,
      snapshot,
      branch: name,
      forcePushed,
      ...(previous === undefined ? {} : { previous }),
    };
  };

  const source: Source = {
    remote: repository.display,
    gitDir: repository.gitDir,
    fetch: ({ signal } = {}) => {
      if (closed) return Promise.reject(new Error("the source is closed"));
      return repository.exclusive(async () => {
        const timeout = timeoutSignal(timeoutMs, signal);
        try {
          return await fetchOnce(timeout.signal);
        } catch (error) {
          if (!timeout.signal.aborted || signal?.aborted) throw error;
          throw new BindopsError(
            "unreachable",
            "remote-unreachable",
            `fetching ${repository.display} took longer than ${timeoutMs} ms`,
            { hint: "check the network; the last fetched revision stays in use" },
          );
        } finally {
          timeout.clear();
        }
      });
    },
    close: async () => {
      closed = true;
      await repository.exclusive(() => Promise.resolve());
    },
  };
  sources.set(source, { repository, branch: () => resolveBranch() });
  return source;
}

/** Whether `older` is `newer` or one of its ancestors; a history too shallow to tell says no. */
async function isAncestor(
  repository: CachedRepository,
  older: string,
  newer: string,
  signal?: AbortSignal,
): Promise<boolean> {
  try {
    await repository.git(["merge-base", "--is-ancestor", older, newer], signal ? { signal } : {});
    return true;
  } catch {
    return false;
  }
}

/**
 * Fetches a fixed revision: by name (a tag, a branch, a commit the remote lets be asked for), one
 * commit deep; failing that, a commit id is looked for in the whole history of `branch`.
 */
async function fetchRevision(
  repository: CachedRepository,
  rev: string,
  branch: string,
  signal: AbortSignal,
): Promise<string> {
  const ref = "refs/bindops/rev";
  const have = /^[0-9a-f]{40,64}$/.test(rev) ? await repository.resolve(rev, signal) : undefined;
  if (have !== undefined) return have;
  try {
    const args = ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--depth", "1"];
    await repository.remote([...args, "origin", `+${rev}:${ref}`], { revision: rev }, { signal });
    const commit = await repository.resolve(ref, signal);
    if (commit !== undefined) return commit;
  } catch (error) {
    const missing = error instanceof BindopsError && error.code === "missing-revision";
    if (!missing || !/^[0-9a-f]{7,64}$/.test(rev)) throw error;
  }
  const shallow = await repository.git(["rev-parse", "--is-shallow-repository"], { signal });
  await repository.remote(
    [
      "fetch",
      "--quiet",
      "--no-tags",
      "--no-write-fetch-head",
      ...(shallow.toString("utf8").trim() === "true" ? ["--unshallow"] : []),
      "origin",
      `+refs/heads/${branch}:${trackingRef(branch)}`,
    ],
    { branch },
    { signal },
  );
  const commit = await repository.resolve(rev, signal);
  if (commit === undefined) {
    throw new BindopsError(
      "unreachable",
      "missing-revision",
      `${repository.display} has no revision "${rev}"`,
      { hint: "name a branch, tag or commit the remote has with --rev" },
    );
  }
  return commit;
}
