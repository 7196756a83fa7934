import { statSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { BindopsError, ExitCode } from "../../core/errors.js";
import { defaultCacheDir } from "../../dev/dev-paths.js";
import { commitStatus, statusFolder } from "../../git/commit-status.js";
import { contentRevision, workingTreeRevision } from "../../git/content-revision.js";
import { onlyStatusChanged } from "../../git/only-status-changed.js";
import { openSource } from "../../git/open-source.js";
import { readFolderSnapshot } from "../../git/read-folder-snapshot.js";
import { watchFolder } from "../../git/watch-folder.js";
import type { ReconcileResult } from "../../server/reconcile-once.js";
import type { CommandContext } from "../io.js";
import { reconcilerFor, type Reconciler } from "../reconciler.js";
import { RunServer, runAsLeader, runSharded } from "../run-server.js";
import type { ShardLeases } from "../../kube/shard-leases.js";
import type { Snapshot } from "../../core/snapshot.js";
import { writeStatusFiles } from "../write-status-files.js";
import type { OptionsOf } from "./command-specs.js";
import { parseSeconds } from "../parse-seconds.js";

/**
 * `bindops run`: the reconcile loop. Fetches the branch every `--interval`, reconciles each new
 * content revision (commits that touch only `status/` are not new content) and, every interval,
 * the current one again so hand edits are reverted; commits the status files when they changed.
 * Errors (an unreachable remote or cluster) are logged and retried with exponential backoff while
 * the last good revision stays applied. SIGINT/SIGTERM finish the current step and exit 0.
 * With `--watch`, a local folder is followed instead: see {@link watchLoop}.
 */
export async function runCommand(
  ctx: CommandContext,
  options: OptionsOf<"run">,
): Promise<ExitCode> {
  const intervalMs = parseSeconds(options.interval, "--interval") * 1000;
  if (options.watch) {
    if (options.shards.trim() !== "1") {
      throw new BindopsError(
        "usage",
        "watch-conflict",
        "--watch follows one folder; it takes no --shards",
      );
    }
    return watchLoop(ctx, options, intervalMs);
  }
  const shards = shardCount(options);
  // One pass is a reconcile, not a sync loop: the konnector runs only in the long-running modes.
  if (options.once) {
    return followLoop(ctx, { ...options, konnector: false }, intervalMs, ctx.signal, undefined);
  }
  const server = new RunServer();
  await server.start(ctx, options);
  try {
    if (shards > 1) {
      return await runSharded(
        ctx,
        options,
        shards,
        (owned) => {
          server.setStandby(owned.length === 0);
          server.wakeNow();
        },
        (leases) => followLoop(ctx, options, intervalMs, ctx.signal, server, leases),
      );
    }
    const loop = (signal: AbortSignal) => followLoop(ctx, options, intervalMs, signal, server);
    return options.leaderElect
      ? await runAsLeader(ctx, options, loop, (leading) => server.setStandby(!leading))
      : await loop(ctx.signal);
  } finally {
    await server.close();
  }
}

/** How long a replica that lost shard 1 waits for its backend and konnector to stop. */
const controllerStopMs = 30_000;

/** `--shards`: a whole number of at least 1; more than 1 neither with --once nor --watch. */
function shardCount(options: OptionsOf<"run">): number {
  const count = /^\d+$/.test(options.shards.trim()) ? Number(options.shards) : NaN;
  if (!Number.isSafeInteger(count) || count < 1 || count > 1000) {
    throw new BindopsError(
      "usage",
      "bad-shards",
      `--shards ${options.shards}: not a count (1 to 1000)`,
    );
  }
  if (count > 1 && (options.once || options.leaderElect)) {
    throw new BindopsError(
      "usage",
      "shards-conflict",
      `--shards ${count} shares the bindings among replicas; it takes neither ${options.once ? "--once" : "--leader-elect"}`,
    );
  }
  return count;
}

/**
 * Follows the branch until `signal` aborts (SIGTERM, or leadership lost); a webhook push cuts the
 * wait short. With `--once`, one pass.
 */
async function followLoop(
  ctx: CommandContext,
  options: OptionsOf<"run">,
  intervalMs: number,
  signal: AbortSignal,
  server: RunServer | undefined,
  sharding?: ShardLeases,
): Promise<ExitCode> {
  const log = ctx.logger;
  const source = openSource({
    repo: options.repo,
    ...(options.branch ? { branch: options.branch } : {}),
    cacheDir: defaultCacheDir(ctx.env, ctx.cwd),
    env: ctx.env,
    logger: log,
  });
  // With --shards, the backend and konnector run in the replica holding shard 1 only.
  let controllers = sharding === undefined;
  let reconciler = reconcilerFor({ ...ctx, signal }, { ...options, controllers });
  let reconciledShards = "";
  /**
   * Starts or stops the in-process backend and konnector as shard 1 comes and goes. They run as
   * work on shard 1: the moment it moves (given back, or not renewed in time) they stop, and a
   * shard given back keeps its Lease until they have, so no two replicas run them at once.
   */
  const fitControllers = async (owned: readonly number[] | undefined) => {
    if (owned === undefined || owned.includes(0) === controllers) return;
    controllers = owned.includes(0);
    await reconciler.close();
    reconciler = reconcilerFor({ ...ctx, signal }, { ...options, controllers });
    if (controllers) holdShardOne(reconciler);
    log.info(
      controllers
        ? "running the backend and konnector (shard 1)"
        : "backend and konnector left to the holder of shard 1",
    );
  };
  const holdShardOne = (running: Reconciler) => {
    let stopping: Promise<void> | undefined;
    // Never rejects, and never holds shard 1's Lease longer than `controllerStopMs`.
    const stop = () =>
      (stopping ??= (async () => {
        // Taken back later, shard 1 starts them again (fitControllers).
        if (reconciler === running) controllers = false;
        try {
          const stopped = running.stopControllers().then(() => true);
          const late = sleep(controllerStopMs, false, { ref: false });
          if (await Promise.race([stopped, late])) {
            log.info("backend and konnector stopped: shard 1 moved");
          } else {
            log.error(`backend and konnector not stopped within ${controllerStopMs / 1000} s`);
          }
        } catch (error) {
          log.error({ err: error }, "backend and konnector failed to stop");
        }
      })());
    sharding!
      .work(0, (moved) =>
        moved.aborted
          ? stop()
          : new Promise<void>((resolve) =>
              moved.addEventListener("abort", () => void stop().then(resolve), { once: true }),
            ),
      )
      // Shard 1 went before its work began: stopped all the same.
      .catch(() => stop());
  };
  /** With --shards: fits the controllers to the shards held; true (after a wait) when none. */
  const idle = async (owned: readonly number[] | undefined): Promise<boolean> => {
    await fitControllers(owned);
    if (owned === undefined || owned.length > 0) return false;
    log.debug("no shard held: waiting");
    await server?.pause(intervalMs, signal);
    return true;
  };
  /** The whole repository, or with --shards the bindings of the shards held. */
  const reconcileHeld = (
    snapshot: Snapshot,
    revision: string,
    owned: readonly number[] | undefined,
  ): Promise<ReconcileResult> =>
    owned === undefined
      ? reconciler.reconcile(snapshot, revision)
      : reconcileShards(ctx, reconciler, snapshot, revision, owned, sharding!);
  /** Whether only status commits came after the revision last applied. */
  const onlyStatusSince = async (last: string | undefined, revision: string) =>
    last !== undefined &&
    revision !== last &&
    (await onlyStatusChanged(source, last, revision, { signal }));
  const author = parseAuthor(options.author);
  let applied: string | undefined;
  let failures = 0;
  log.info(`following ${source.remote}${options.branch ? ` (${options.branch})` : ""}`);
  try {
    while (!signal.aborted) {
      const started = performance.now();
      let fetchedAt: number | undefined;
      const owned = sharding?.owned();
      try {
        if (await idle(owned)) continue;
        const fetched = await source.fetch({ signal });
        fetchedAt = performance.now();
        server?.metrics.gitFetchDuration.observe((performance.now() - started) / 1000);
        const shardsNow = owned?.join(",") ?? "";
        const skip =
          shardsNow === reconciledShards && (await onlyStatusSince(applied, fetched.revision));
        let partial = false;
        if (!skip) {
          const revision = await contentRevision(source.gitDir, fetched.revision, statusFolder, {
            signal,
          });
          const result = await reconcileHeld(fetched.snapshot, revision, owned);
          reconciledShards = shardsNow;
          const changed = await commitStatus({
            source,
            files: result.statusFiles,
            author,
            message: `bindops: status of ${revision.slice(0, 12)}`,
            signal,
          });
          if (changed.committed) log.info(`status committed: ${changed.commit.slice(0, 12)}`);
          applied = changed.committed ? changed.commit : fetched.revision;
          partial = reportUnreachable(ctx, result);
          server?.recordPass(revision, result, (performance.now() - started) / 1000);
        } else {
          applied = fetched.revision;
        }
        if (options.once) return partial ? ExitCode.unreachable : ExitCode.ok;
        // An unreachable cluster is tried again at the next interval, like everything else.
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        if (options.once) throw error;
        failures++;
        if (fetchedAt === undefined) server?.metrics.gitFetchErrors.inc();
        server?.recordFailure((performance.now() - started) / 1000);
        const message = error instanceof Error ? error.message : String(error);
        log.error({ err: error }, `reconcile failed (attempt ${failures}): ${message}`);
      }
      const wait = nextWait(intervalMs, failures);
      if (server) await server.pause(wait, signal);
      else await sleep(wait, undefined, { signal }).catch(() => undefined);
    }
    log.info("stopped");
    return ExitCode.ok;
  } finally {
    await reconciler.close();
    await source.close();
  }
}

/**
 * `bindops run --watch`: follows a local folder as it is saved, committed or not. Each burst of
 * saves (outside `status/`, `.git/` and `node_modules/`) is reconciled once, about 200 ms after
 * the last save; the current content again every `--interval` so hand edits are reverted. The
 * revision is the content's digest (`working-tree-<hex>`). Status files are written into the
 * folder's `status/`, not committed: the folder is someone's working copy.
 */
async function watchLoop(
  ctx: CommandContext,
  options: OptionsOf<"run">,
  intervalMs: number,
): Promise<ExitCode> {
  const folder = watchedFolder(ctx, options);
  const log = ctx.logger;
  const reconciler = reconcilerFor(ctx, options);
  let pending = true;
  let wake: (() => void) | undefined;
  const watcher = await watchFolder(
    folder,
    {
      signal: ctx.signal,
      onError: (error) => log.error({ err: error }, `watching ${folder} failed`),
    },
    (changed) => {
      log.info({ changed }, `saved: ${changed.join(", ")}`);
      pending = true;
      wake?.();
    },
  );
  log.info(`watching ${folder}: a save is reconciled, and everything every ${intervalMs / 1000} s`);
  let failures = 0;
  try {
    while (!ctx.signal.aborted) {
      if (pending) {
        pending = false;
        failures = (await reconcileFolder(ctx, folder, reconciler)) ? 0 : failures + 1;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(
          () => {
            pending = true;
            resolve();
          },
          nextWait(intervalMs, failures),
        );
        const done = () => {
          clearTimeout(timer);
          ctx.signal.removeEventListener("abort", done);
          resolve();
        };
        wake = done;
        ctx.signal.addEventListener("abort", done, { once: true });
        if (pending || ctx.signal.aborted) done();
      });
      wake = undefined;
    }
    log.info("stopped");
    return ExitCode.ok;
  } finally {
    await watcher.close();
    await reconciler.close();
  }
}

/** One reconcile of the folder as it is; true when it went through (errors are logged). */
async function reconcileFolder(
  ctx: CommandContext,
  folder: string,
  reconciler: Reconciler,
): Promise<boolean> {
  try {
    const snapshot = readFolderSnapshot(folder, { signal: ctx.signal });
    const revision = workingTreeRevision(snapshot, statusFolder);
    const result = await reconciler.reconcile(snapshot, revision);
    await writeStatusFiles(folder, result.statusFiles);
    ctx.logger.info(
      `reconciled ${revision}: ${result.failed.length === 0 ? "every binding bound" : `not bound: ${result.failed.join(", ")}`}`,
    );
    reportUnreachable(ctx, result);
    return true;
  } catch (error) {
    if (ctx.signal.aborted) return true;
    const message = error instanceof Error ? error.message : String(error);
    ctx.logger.error({ err: error }, `reconcile failed: ${message}`);
    return false;
  }
}

/** The folder `--watch` follows: a local folder, not a remote. */
function watchedFolder(ctx: CommandContext, options: OptionsOf<"run">): string {
  if (options.once || options.branch) {
    throw new BindopsError(
      "usage",
      "watch-conflict",
      `--watch follows a folder as it is saved; it takes neither ${options.once ? "--once" : "--branch"}`,
    );
  }
  const folder = path.resolve(ctx.cwd, options.repo);
  let isFolder = false;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    isFolder = false;
  }
  if (!isFolder || /^[a-z][a-z0-9+.-]*:\/\//i.test(options.repo)) {
    throw new BindopsError(
      "usage",
      "watch-needs-folder",
      `--watch needs a local folder (a working copy); ${options.repo} is not one`,
      { hint: "follow a remote with --interval instead" },
    );
  }
  return folder;
}

/**
 * One pass over the shards this replica holds, one reconcile per shard (each with its own
 * inventory), merged into one result so that the status is committed once.
 */
async function reconcileShards(
  ctx: CommandContext,
  reconciler: Reconciler,
  snapshot: Snapshot,
  revision: string,
  owned: readonly number[],
  leases: ShardLeases,
): Promise<ReconcileResult> {
  const count = leases.shardCount;
  const merged: ReconcileResult = {
    applied: true,
    statusFiles: new Map(),
    failed: [],
    pruned: [],
    unreachable: new Map(),
    reverted: [],
  };
  for (const index of owned) {
    let result: ReconcileResult;
    try {
      result = await leases.work(index, (stop) =>
        reconciler.reconcile(snapshot, revision, { index, count }, stop),
      );
    } catch (error) {
      if (ctx.signal.aborted || leases.owned().includes(index)) throw error;
      // The shard moved to another replica during the pass: its work here stopped, and its
      // status is the other replica's to write.
      ctx.logger.warn(`shard ${index + 1}/${count} moved during the pass: left to its new holder`);
      continue;
    }
    ctx.logger.info(
      `shard ${index + 1}/${count}: ${result.statusFiles.size} bindings reconciled` +
        (result.failed.length > 0 ? `, not bound: ${result.failed.join(", ")}` : ""),
    );
    merged.applied &&= result.applied;
    for (const [file, text] of result.statusFiles) merged.statusFiles.set(file, text);
    merged.failed.push(...result.failed);
    merged.pruned.push(...result.pruned);
    merged.reverted.push(...result.reverted);
    for (const [cluster, why] of result.unreachable) merged.unreachable.set(cluster, why);
  }
  return merged;
}

/** Logs the clusters a reconcile could not reach (its other clusters were reconciled); true when any. */
function reportUnreachable(ctx: CommandContext, result: ReconcileResult): boolean {
  for (const [cluster, why] of result.unreachable) {
    ctx.logger.warn({ cluster }, `cluster ${cluster} was not reached; retrying: ${why}`);
  }
  return result.unreachable.size > 0;
}

/** Exponential backoff on errors, capped at ten intervals; the interval otherwise. */
function nextWait(intervalMs: number, failures: number): number {
  return failures === 0 ? intervalMs : Math.min(intervalMs * 10, 1000 * 2 ** failures);
}

function parseAuthor(text: string): { name: string; email: string } {
  const match = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(text);
  return match
    ? { name: match[1] || "bindops", email: match[2]! }
    : { name: text, email: "bindops@example.invalid" };
}
