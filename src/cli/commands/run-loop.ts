import { setTimeout as sleep } from "node:timers/promises";
import { ExitCode } from "../../core/errors.js";
import { defaultCacheDir } from "../../dev/dev-paths.js";
import { commitStatus, statusFolder } from "../../git/commit-status.js";
import { contentRevision } from "../../git/content-revision.js";
import { onlyStatusChanged } from "../../git/only-status-changed.js";
import { openSource } from "../../git/open-source.js";
import type { ReconcileResult } from "../../server/reconcile-once.js";
import type { CommandContext } from "../io.js";
import { reconcilerFor } from "../reconciler.js";
import type { OptionsOf } from "./command-specs.js";
import { parseSeconds } from "../parse-seconds.js";

/**
 * `bindops run`: the reconcile loop. Fetches the branch every `--interval`, reconciles each new
 * content revision (commits that touch only `status/` are not new content) and, every interval,
 * the current one again so hand edits are reverted; commits the status files when they changed.
 * Errors (an unreachable remote or cluster) are logged and retried with exponential backoff while
 * the last good revision stays applied. SIGINT/SIGTERM finish the current step and exit 0.
 */
export async function runCommand(
  ctx: CommandContext,
  options: OptionsOf<"run">,
): Promise<ExitCode> {
  const intervalMs = parseSeconds(options.interval, "--interval") * 1000;
  const log = ctx.logger;
  const source = openSource({
    repo: options.repo,
    ...(options.branch ? { branch: options.branch } : {}),
    cacheDir: defaultCacheDir(ctx.env, ctx.cwd),
    env: ctx.env,
    logger: log,
  });
  const reconciler = reconcilerFor(ctx, options);
  const author = parseAuthor(options.author);
  let applied: string | undefined;
  let failures = 0;
  log.info(`following ${source.remote}${options.branch ? ` (${options.branch})` : ""}`);
  try {
    while (!ctx.signal.aborted) {
      try {
        const fetched = await source.fetch({ signal: ctx.signal });
        const skip =
          applied !== undefined &&
          fetched.revision !== applied &&
          (await onlyStatusChanged(source, applied, fetched.revision, { signal: ctx.signal }));
        let partial = false;
        if (!skip) {
          const revision = await contentRevision(source.gitDir, fetched.revision, statusFolder, {
            signal: ctx.signal,
          });
          const result = await reconciler.reconcile(fetched.snapshot, revision);
          const changed = await commitStatus({
            source,
            files: result.statusFiles,
            author,
            message: `bindops: status of ${revision.slice(0, 12)}`,
            signal: ctx.signal,
          });
          if (changed.committed) log.info(`status committed: ${changed.commit.slice(0, 12)}`);
          applied = changed.committed ? changed.commit : fetched.revision;
          partial = reportUnreachable(ctx, result);
        } else {
          applied = fetched.revision;
        }
        if (options.once) return partial ? ExitCode.unreachable : ExitCode.ok;
        // An unreachable cluster is tried again at the next interval, like everything else.
        failures = 0;
      } catch (error) {
        if (ctx.signal.aborted) break;
        if (options.once) throw error;
        failures++;
        const message = error instanceof Error ? error.message : String(error);
        log.error({ err: error }, `reconcile failed (attempt ${failures}): ${message}`);
      }
      await sleep(nextWait(intervalMs, failures), undefined, { signal: ctx.signal }).catch(
        () => undefined,
      );
    }
    log.info("stopped");
    return ExitCode.ok;
  } finally {
    await reconciler.close();
    await source.close();
  }
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
