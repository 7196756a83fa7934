import { existsSync } from "node:fs";
import path from "node:path";
import { BindopsError, ExitCode } from "../../core/errors.js";
import { contentRevision } from "../../git/content-revision.js";
import { readRevisionSnapshot } from "../../git/read-revision-snapshot.js";
import { writeLine, type CommandContext } from "../io.js";
import { reconcilerFor } from "../reconciler.js";
import type { OptionsOf } from "./command-specs.js";

/**
 * `bindops reconcile`: one reconcile of a git revision onto the provider and consumer clusters.
 * Exit 0 when every binding is bound, 2 when the revision does not validate or a binding failed,
 * 4 when git or a cluster cannot be reached. The status files are written to `--status-dir` when
 * given (`bindops run` commits them).
 */
export async function reconcileCommand(
  ctx: CommandContext,
  options: OptionsOf<"reconcile">,
): Promise<ExitCode> {
  const repo = path.resolve(ctx.cwd, options.repo);
  if (!existsSync(path.join(repo, ".git")) && !existsSync(path.join(repo, "HEAD"))) {
    throw new BindopsError("usage", "repo-not-git", `${repo} is not a git repository`);
  }
  const revision = await contentRevision(repo, options.rev, "status", { signal: ctx.signal });
  // The tip: the content of `revision`, and the status files the last reconcile wrote.
  const snapshot = await readRevisionSnapshot(repo, options.rev, { signal: ctx.signal });
  const reconciler = reconcilerFor(ctx, options);
  try {
    const result = await reconciler.reconcile(snapshot, revision);
    for (const [file, text] of result.statusFiles) {
      writeLine(ctx.stdout, `${text === null ? "delete" : "write "} ${file}`);
    }
    for (const p of result.pruned) writeLine(ctx.stdout, `pruned ${p}`);
    if (options.statusDir) {
      const { writeStatusFiles } = await import("../write-status-files.js");
      await writeStatusFiles(path.resolve(ctx.cwd, options.statusDir), result.statusFiles);
    }
    if (!result.applied) return ExitCode.invalid;
    return result.failed.length > 0 ? ExitCode.invalid : ExitCode.ok;
  } finally {
    await reconciler.close();
  }
}
