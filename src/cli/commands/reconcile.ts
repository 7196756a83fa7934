import path from "node:path";
import { ExitCode } from "../../core/errors.js";
import { writeLine, type CommandContext } from "../io.js";
import { readRepositoryRevision, reconcilerFor } from "../reconciler.js";
import type { ReconcileResult } from "../../server/reconcile-once.js";
import type { OptionsOf } from "./command-specs.js";

/**
 * `bindops reconcile`: one reconcile of a git revision onto the provider and consumer clusters.
 * Exit 0 when every binding is bound, 2 when the revision does not validate or a binding failed,
 * 4 when git or a cluster cannot be reached (the other clusters' bindings are reconciled all the
 * same, and the held-back ones' status says why). The status files are written to `--status-dir`
 * when given (`bindops run` commits them).
 */
export async function reconcileCommand(
  ctx: CommandContext,
  options: OptionsOf<"reconcile">,
): Promise<ExitCode> {
  const { snapshot, revision } = await readRepositoryRevision(
    path.resolve(ctx.cwd, options.repo),
    options.rev,
    ctx.signal,
  );
  const reconciler = reconcilerFor(ctx, options);
  try {
    const result = await reconciler.reconcile(snapshot, revision);
    for (const [file, text] of result.statusFiles) {
      writeLine(ctx.stdout, `${text === null ? "delete" : "write "} ${file}`);
    }
    for (const p of result.pruned) writeLine(ctx.stdout, `pruned ${p}`);
    for (const r of result.reverted) writeLine(ctx.stdout, `reverted ${r}`);
    for (const [cluster, why] of result.unreachable) {
      writeLine(ctx.stdout, `unreachable ${cluster}: ${why}`);
    }
    if (options.statusDir) {
      const { writeStatusFiles } = await import("../write-status-files.js");
      await writeStatusFiles(path.resolve(ctx.cwd, options.statusDir), result.statusFiles);
    }
    return reconcileExitCode(result);
  } finally {
    await reconciler.close();
  }
}

/**
 * The exit code of one reconcile: 2 when the revision was refused; 4 when a cluster could not be
 * reached (a partial reconcile: the rest was applied); 2 when a binding is not bound; else 0.
 */
export function reconcileExitCode(result: ReconcileResult): ExitCode {
  if (!result.applied) return ExitCode.invalid;
  if (result.unreachable.size > 0) return ExitCode.unreachable;
  return result.failed.length > 0 ? ExitCode.invalid : ExitCode.ok;
}
