import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import type { BindopsError } from "../core/errors.js";
import {
  gitAuthEnvironment,
  redactUrl,
  remoteError,
  remoteLocation,
  type GitEnvironment,
  type RemoteRequest,
} from "./git-remote.js";
import { runGit } from "./run-git.js";

/** Options of one git command run in the cache. */
export interface CacheGitOptions {
  input?: string | Uint8Array;
  /** Added to the environment of this command only. */
  env?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * A bare repository under `<cacheDir>/repos/<hash of the remote>` that mirrors one remote: where
 * a source fetches and reads revisions, and where status commits are made. Operations run one at
 * a time ({@link exclusive}); git never sees the token except through its environment.
 */
export class CachedRepository {
  /** The bare repository. */
  readonly gitDir: string;
  /** The remote as git is given it. */
  readonly url: string;
  /** The remote as it may be shown. */
  readonly display: string;
  readonly logger: Logger;
  private readonly env: Record<string, string | undefined>;
  private readonly secrets: readonly string[];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(repo: string, cacheDir: string, env: GitEnvironment, logger: Logger) {
    this.url = remoteLocation(repo);
    this.display = redactUrl(this.url);
    const key = createHash("sha256").update(this.url).digest("hex").slice(0, 16);
    this.gitDir = join(cacheDir, "repos", key);
    this.logger = logger;
    const auth = gitAuthEnvironment(this.url, env);
    const { BINDOPS_GIT_TOKEN: _token, ...rest } = env;
    this.env = {
      ...rest,
      ...auth.variables,
      // Never wait for a password on a terminal nobody watches: fail, and say so.
      GIT_TERMINAL_PROMPT: "0",
      GIT_ASKPASS: rest.GIT_ASKPASS ?? "",
      SSH_ASKPASS: rest.SSH_ASKPASS ?? "",
    };
    this.secrets = auth.secrets;
  }

  /** Runs `work` after every operation started before it has finished. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Runs git in the bare repository; errors are as git gives them (see {@link remoteError}). */
  git(args: readonly string[], options: CacheGitOptions = {}): Promise<Buffer> {
    return runGit(args, {
      cwd: this.gitDir,
      env: options.env ? { ...this.env, ...options.env } : this.env,
      ...(options.input === undefined ? {} : { input: options.input }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** {@link git} for a command that talks to the remote: a failure is a typed, scrubbed error. */
  async remote(
    args: readonly string[],
    request: Omit<RemoteRequest, "remote">,
    options: CacheGitOptions = {},
  ): Promise<Buffer> {
    try {
      return await this.git(args, options);
    } catch (error) {
      throw this.classify(error, request);
    }
  }

  /** A failed command that talked to the remote, as a typed error with the secrets scrubbed. */
  classify(error: unknown, request: Omit<RemoteRequest, "remote">): BindopsError {
    return remoteError(error, { remote: this.display, ...request }, this.secrets);
  }

  /** The commit a local ref points to, or undefined. */
  async resolve(ref: string, signal?: AbortSignal): Promise<string | undefined> {
    try {
      const out = await this.git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], {
        ...(signal ? { signal } : {}),
      });
      const sha = out.toString("utf8").trim();
      return /^[0-9a-f]{40,64}$/.test(sha) ? sha : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Creates the bare repository the first time. Made in a folder beside it and renamed into place,
   * so a half-made repository is never mistaken for one; a repository that is there is never
   * removed, whatever later fetches do.
   */
  async ensure(signal?: AbortSignal): Promise<void> {
    if (existsSync(join(this.gitDir, "HEAD"))) return;
    const parent = join(this.gitDir, "..");
    mkdirSync(parent, { recursive: true });
    const temporary = join(parent, `.new-${randomBytes(6).toString("hex")}`);
    try {
      const opts = signal ? { signal } : {};
      await runGit(["init", "--quiet", "--bare", temporary], {
        cwd: parent,
        env: this.env,
        ...opts,
      });
      await runGit(["config", "remote.origin.url", this.url], {
        cwd: temporary,
        env: this.env,
        ...opts,
      });
      // A repository only bindops writes to: no background gc racing a fetch.
      await runGit(["config", "gc.autoDetach", "false"], {
        cwd: temporary,
        env: this.env,
        ...opts,
      });
      renameSync(temporary, this.gitDir);
    } catch (error) {
      rmSync(temporary, { recursive: true, force: true });
      // Another process made it first: use theirs.
      if (!existsSync(join(this.gitDir, "HEAD"))) throw error;
    }
    this.logger.debug({ remote: this.display, cache: this.gitDir }, "created the repository cache");
  }

  /** The remote's default branch (where its HEAD points). */
  async defaultBranch(signal?: AbortSignal): Promise<string> {
    await this.ensure(signal);
    const out = await this.remote(
      ["ls-remote", "--symref", "origin", "HEAD"],
      {},
      signal ? { signal } : {},
    );
    const match = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(out.toString("utf8"));
    if (!match?.[1]) {
      throw remoteError(
        new Error("couldn't find remote ref HEAD"),
        { remote: this.display, branch: "HEAD" },
        this.secrets,
      );
    }
    return match[1];
  }

  /**
   * Fetches `branch` into `refs/remotes/origin/<branch>` and returns its tip: one commit deep the
   * first time, then only what is new (so that ancestry with the last tip can be told).
   */
  async fetchBranch(branch: string, signal?: AbortSignal): Promise<string> {
    const ref = trackingRef(branch);
    const first = (await this.resolve(ref, signal)) === undefined;
    await this.remote(
      [
        "fetch",
        "--quiet",
        "--no-tags",
        "--no-write-fetch-head",
        ...(first ? ["--depth", "1"] : []),
        "origin",
        `+refs/heads/${branch}:${ref}`,
      ],
      { branch },
      signal ? { signal } : {},
    );
    const tip = await this.resolve(ref, signal);
    if (tip === undefined) {
      throw remoteError(
        new Error("couldn't find remote ref"),
        { remote: this.display, branch },
        [],
      );
    }
    return tip;
  }
}

/** Where the cache keeps the last fetched tip of a branch. */
export function trackingRef(branch: string): string {
  return `refs/remotes/origin/${branch}`;
}

/** Whether `name` can be given to git as a branch or revision without being read as an option. */
export function isSafeRefName(name: string): boolean {
  return name.trim() !== "" && !name.startsWith("-") && !/[\s~^:?*[\\\0]|\.\./.test(name);
}
