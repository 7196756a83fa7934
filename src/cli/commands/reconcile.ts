import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startBackend, type RunningBackend } from "../../backend/backend.js";
import { BindopsError, ExitCode } from "../../core/errors.js";
import { rebaseSnapshot } from "../../core/snapshot.js";
import { contentRevision } from "../../git/content-revision.js";
import { readFolderSnapshot } from "../../git/read-folder-snapshot.js";
import { readRevisionSnapshot } from "../../git/read-revision-snapshot.js";
import { connectCluster, type ConnectedCluster } from "../../kube/connect-cluster.js";
import { installKubeBindCrds } from "../../kube/install-kube-bind-crds.js";
import type { KubeClient } from "../../kube/kube-client.js";
import { loadFiles } from "../../manifests/load-files.js";
import { repositoryModel } from "../../plan/repository-model.js";
import { reconcileOnce } from "../../server/reconcile-once.js";
import { validate } from "../../validate/validate.js";
import { writeLine, type CommandContext } from "../io.js";
import { packageVersion } from "../package-version.js";
import type { OptionsOf } from "./command-specs.js";

const defaultPolicyDir = fileURLToPath(new URL("../../../policies", import.meta.url));

/**
 * `bindops reconcile`: one reconcile of a git revision onto the provider and consumer clusters.
 * Exit 0 when every binding is bound, 2 when the revision does not validate or a binding failed,
 * 4 when git or a cluster cannot be reached. The status files are written to `--status-dir` when
 * given (the run loop commits them).
 */
export async function reconcileCommand(
  ctx: CommandContext,
  options: OptionsOf<"reconcile">,
): Promise<ExitCode> {
  const repo = path.resolve(ctx.cwd, options.repo);
  if (!existsSync(path.join(repo, ".git")) && !existsSync(path.join(repo, "HEAD"))) {
    throw new BindopsError("usage", "repo-not-git", `${repo} is not a git repository`);
  }
  const statusPath = "status";
  const revision = await contentRevision(repo, options.rev, statusPath, { signal: ctx.signal });
  const content = await readRevisionSnapshot(repo, revision, { signal: ctx.signal });
  // Status files come from the tip: they are what the last reconcile wrote.
  const tip = await readRevisionSnapshot(repo, options.rev, { signal: ctx.signal });
  const files = new Map([...content.files].filter(([file]) => !file.startsWith(`${statusPath}/`)));
  for (const [file, bytes] of tip.files) {
    if (file.startsWith(`${statusPath}/`)) files.set(file, bytes);
  }
  const snapshot = { ...content, files };
  const report = validate(snapshot, {
    ...(existsSync(defaultPolicyDir)
      ? {
          defaultPolicies: rebaseSnapshot(
            readFolderSnapshot(defaultPolicyDir, { signal: ctx.signal }),
            path.relative(repo, defaultPolicyDir).split(path.sep).join("/"),
          ),
        }
      : {}),
    toolVersion: packageVersion(),
    signal: ctx.signal,
  });
  const log = ctx.logger.child({ revision: revision.slice(0, 12) });
  const model = repositoryModel(loadFiles(snapshot.files).documents);
  const connected: ConnectedCluster[] = [];
  const backends: RunningBackend[] = [];
  try {
    const clients = new Map<string, KubeClient>();
    for (const name of model.clusters.keys()) {
      const cluster = await connectCluster(name, {
        ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
        ...(options.kubeconfigDir
          ? { kubeconfigDir: path.resolve(ctx.cwd, options.kubeconfigDir) }
          : {}),
        env: ctx.env,
        cwd: ctx.cwd,
        signal: ctx.signal,
      });
      connected.push(cluster);
      clients.set(name, cluster.client);
      await installKubeBindCrds(cluster, log, ctx.signal);
      if (options.backend === "builtin" && model.clusters.get(name) === "provider") {
        const backend = startBackend({
          client: cluster.client,
          logger: log.child({ cluster: name, component: "backend" }),
        });
        backends.push(backend);
        await backend.ready;
      }
    }
    const result = await reconcileOnce({
      snapshot,
      report,
      revision,
      clients,
      logger: log,
      requestTimeoutMs: Number(options.requestTimeout) * 1000,
      signal: ctx.signal,
    });
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
    await Promise.all(backends.map((b) => b.stop()));
    for (const c of connected) c.client.close();
  }
}
