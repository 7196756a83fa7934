import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { join, posix } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { BindopsError } from "../core/errors.js";
import { trackingRef, type CachedRepository } from "./cached-repository.js";
import { GitCommandError } from "./run-git.js";
import { sourceInternals, type Source } from "./open-source.js";

/** The folder status files live in; nothing else is ever committed by bindops. */
export const statusFolder = "status";

/** Options of {@link commitStatus}. */
export interface CommitStatusOptions {
  /** The repository, through its source's cache. */
  source: Source;
  /** The branch to commit to; the source's branch when absent. */
  branch?: string;
  /** Path under `status/` → its new bytes, or `null` to delete it. Other files are kept. */
  files: ReadonlyMap<string, Uint8Array | string | null>;
  /** Author and committer of the commit. */
  author: { name: string; email: string };
  /** The commit message; `[skip ci]` is added at its end when it is not there. */
  message: string;
  /** Pushes tried before giving up on a remote that keeps moving. Default 5. */
  maxAttempts?: number;
  /** The wait before the second push, doubled each time after. Default 200 ms. */
  backoffMs?: number;
  signal?: AbortSignal;
}

/** What {@link commitStatus} did. */
export type CommitStatusResult =
  | {
      committed: true;
      /** The commit pushed. */
      commit: string;
      /** The tip it was made on. */
      parent: string;
      /** Pushes tried (more than 1 when the remote moved in between). */
      attempts: number;
    }
  | {
      /** The files already had that content at the branch's tip. */
      committed: false;
      /** The tip that already had it. */
      revision: string;
    };

const skipCi = "[skip ci]";

/**
 * Commits exactly `files` under `status/` on top of the remote branch's latest tip and pushes it,
 * without a work tree: blobs are written to the cache's bare repository, the tip's tree is read
 * into a temporary index, changed there, written and committed (`commit-tree`). When the files
 * already hold that content, nothing is committed. A push refused as non-fast-forward (someone
 * pushed in between) is retried on the new tip, with backoff, up to `maxAttempts` times. A path
 * outside `status/` is refused before anything is written.
 */
export async function commitStatus(options: CommitStatusOptions): Promise<CommitStatusResult> {
  const files = checkedFiles(options.files);
  const { repository, branch: sourceBranch } = sourceInternals(options.source);
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const backoffMs = options.backoffMs ?? 200;
  const signal = options.signal;
  const branch = options.branch ?? (await sourceBranch());
  const message = options.message.trimEnd().endsWith(skipCi)
    ? options.message.trimEnd()
    : `${options.message.trimEnd()} ${skipCi}`;
  const identity = {
    GIT_AUTHOR_NAME: options.author.name,
    GIT_AUTHOR_EMAIL: options.author.email,
    GIT_COMMITTER_NAME: options.author.name,
    GIT_COMMITTER_EMAIL: options.author.email,
  };

  return repository.exclusive(async () => {
    await repository.ensure(signal);
    for (let attempt = 1; ; attempt++) {
      const parent = await repository.fetchBranch(branch, signal);
      const tree = await applyFiles(repository, parent, files, signal);
      const parentTree = (await repository.git(["rev-parse", `${parent}^{tree}`], opts(signal)))
        .toString("utf8")
        .trim();
      if (tree === parentTree) return { committed: false, revision: parent };
      const commit = (
        await repository.git(["commit-tree", tree, "-p", parent, "-F", "-"], {
          input: message,
          env: identity,
          ...opts(signal),
        })
      )
        .toString("utf8")
        .trim();
      try {
        await repository.git(
          ["push", "--quiet", "origin", `${commit}:refs/heads/${branch}`],
          opts(signal),
        );
      } catch (error) {
        if (!isRejected(error) || attempt >= maxAttempts) {
          throw pushError(error, repository, branch, attempt, signal);
        }
        repository.logger.info(
          { branch, attempt, remote: repository.display },
          "the status push was refused as the branch moved; retrying on its new tip",
        );
        await sleep(
          backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random()),
          undefined,
          opts(signal),
        );
        continue;
      }
      // The pushed commit is the branch's tip now: the next fetch starts from it.
      await repository.git(["update-ref", trackingRef(branch), commit], opts(signal));
      repository.logger.info({ branch, commit, attempts: attempt }, "committed and pushed status");
      return { committed: true, commit, parent, attempts: attempt };
    }
  });
}

function opts(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}

/** The files, as bytes, with every path checked to lie under `status/`. */
function checkedFiles(
  files: ReadonlyMap<string, Uint8Array | string | null>,
): Map<string, Uint8Array | null> {
  const checked = new Map<string, Uint8Array | null>();
  for (const [path, content] of files) {
    const normal = posix.normalize(path);
    if (
      normal !== path ||
      !path.startsWith(`${statusFolder}/`) ||
      path.endsWith("/") ||
      /[\\\0\n\r]/.test(path) ||
      path.split("/").some((segment) => segment === ".git" || segment === "..")
    ) {
      throw new BindopsError(
        "usage",
        "path-outside-status",
        `refusing to commit "${path}": bindops writes only files under ${statusFolder}/`,
      );
    }
    checked.set(path, typeof content === "string" ? Buffer.from(content, "utf8") : content);
  }
  return checked;
}

/** The tree of `parent` with `files` written or deleted, through a temporary index. */
async function applyFiles(
  repository: CachedRepository,
  parent: string,
  files: ReadonlyMap<string, Uint8Array | null>,
  signal: AbortSignal | undefined,
): Promise<string> {
  const index = join(repository.gitDir, `bindops-status-${randomBytes(6).toString("hex")}.index`);
  const env = { GIT_INDEX_FILE: index };
  try {
    await repository.git(["read-tree", parent], { env, ...opts(signal) });
    const lines: string[] = [];
    for (const [path, content] of files) {
      if (content === null) {
        lines.push(`0 ${"0".repeat(40)}\t${path}`);
        continue;
      }
      const blob = await repository.git(["hash-object", "-w", "--stdin"], {
        input: content,
        ...opts(signal),
      });
      lines.push(`100644 ${blob.toString("utf8").trim()}\t${path}`);
    }
    if (lines.length > 0) {
      await repository.git(["update-index", "--index-info"], {
        input: lines.join("\n") + "\n",
        env,
        ...opts(signal),
      });
    }
    return (await repository.git(["write-tree"], { env, ...opts(signal) })).toString("utf8").trim();
  } finally {
    rmSync(index, { force: true });
    rmSync(`${index}.lock`, { force: true });
  }
}

/** Whether a push failed only because the branch moved on the remote. */
function isRejected(error: unknown): boolean {
  const text = error instanceof GitCommandError ? error.stderr : String(error);
  return /\[rejected\]|non-fast-forward|fetch first|failed to update ref|cannot lock ref|stale info/i.test(
    text,
  );
}

/** A failed push as a typed error: the remote's own words, or that it kept moving. */
function pushError(
  error: unknown,
  repository: CachedRepository,
  branch: string,
  attempts: number,
  signal: AbortSignal | undefined,
): unknown {
  signal?.throwIfAborted();
  if (isRejected(error)) {
    return new BindopsError(
      "unreachable",
      "push-rejected",
      `${repository.display} refused the status commit on ${branch} ${attempts} times: the branch keeps moving`,
      { hint: "the next reconcile commits the status again" },
    );
  }
  return repository.classify(error, { branch });
}
