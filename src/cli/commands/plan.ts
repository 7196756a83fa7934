import path from "node:path";
import { ExitCode } from "../../core/errors.js";
import type { ConnectedCluster } from "../../kube/connect-cluster.js";
import type { KubeClient } from "../../kube/kube-client.js";
import { loadFiles } from "../../manifests/load-files.js";
import { planHasDifferences } from "../../plan/plan.js";
import { planJson, renderPlanText } from "../../plan/render-plan.js";
import { repositoryModel } from "../../plan/repository-model.js";
import { readPlan } from "../../server/plan-revision.js";
import type { CommandContext } from "../io.js";
import {
  connectNamedCluster,
  isClusterUnreachable,
  readRepositoryRevision,
  validateRevision,
} from "../reconciler.js";
import type { OptionsOf } from "./command-specs.js";

/**
 * `bindops plan`: what `bindops reconcile` of a revision would do, per cluster and in apply order
 * (create, update with the fields that differ, prune, unchanged), read from the clusters without
 * writing to them. Exit 2 when the revision would be refused, 4 when a cluster cannot be reached
 * (the others are planned), with `--exit-code` 1 when anything would change, else 0.
 */
export async function planCommand(
  ctx: CommandContext,
  options: OptionsOf<"plan">,
): Promise<ExitCode> {
  const { snapshot, revision } = await readRepositoryRevision(
    path.resolve(ctx.cwd, options.repo),
    options.rev,
    ctx.signal,
  );
  const report = await validateRevision(snapshot, ctx.signal);
  const refused = report.findings.some((f) => f.severity === "error");
  const model = repositoryModel(loadFiles(snapshot.files).documents);
  const connected: ConnectedCluster[] = [];
  const unreachable = new Map<string, string>();
  try {
    for (const name of refused ? [] : model.clusters.keys()) {
      try {
        connected.push(await connectNamedCluster(name, { ...options, ...ctx }));
      } catch (error) {
        if (ctx.signal.aborted || !isClusterUnreachable(error)) throw error;
        ctx.logger.error({ cluster: name }, `cluster ${name} cannot be reached: ${error.message}`);
        unreachable.set(name, error.message);
      }
    }
    const plan = await readPlan({
      snapshot,
      report,
      revision,
      clients: new Map<string, KubeClient>(connected.map((c) => [c.name, c.client])),
      unreachable,
      onboarding: options.backend === "external" ? "request" : "direct",
      signal: ctx.signal,
    });
    ctx.stdout.write(
      options.output === "json" ? planJson(plan) : renderPlanText(plan, { color: ctx.color }),
    );
    if (plan.refused !== undefined) return ExitCode.invalid;
    if (plan.clusters.some((c) => c.unreachable !== undefined)) return ExitCode.unreachable;
    return options.exitCode && planHasDifferences(plan) ? ExitCode.differences : ExitCode.ok;
  } finally {
    for (const c of connected) c.client.close();
  }
}
