import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BindopsError, ExitCode } from "../../core/errors.js";
import { kubeObjectOf, type KubeObject } from "../../core/kube-object.js";
import { rebaseSnapshot, type Snapshot } from "../../core/snapshot.js";
import { readFolderSnapshot } from "../../git/read-folder-snapshot.js";
import { loadFiles } from "../../manifests/load-files.js";
import { defaultCacheDir } from "../../dev/dev-paths.js";
import { devUp } from "../../dev/dev-up.js";
import {
  credentialEnvVar,
  describeCredentialSource,
} from "../../kube/resolve-cluster-credentials.js";
import { applyProviderObjects } from "../../kube/apply-provider-objects.js";
import { installKubeBindCrds } from "../../kube/install-kube-bind-crds.js";
import { renderText } from "../../report/render-text.js";
import { validate } from "../../validate/validate.js";
import { connectCluster } from "../../kube/connect-cluster.js";
import { commitStatus } from "../../git/commit-status.js";
import { openSource } from "../../git/open-source.js";
import { seedRemote } from "../../git/seed-remote.js";
import { Reconciler } from "../reconciler.js";
import { writeLine, type CommandContext } from "../io.js";
import { packageVersion } from "../package-version.js";
import type { OptionsOf } from "./command-specs.js";

const packageRoot = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * `bindops demo`: the pipeline as far as it goes, on a real local control plane. Starts (or
 * reuses) the provider and consumer clusters, validates the example repository, installs
 * kube-bind's CRDs on both clusters, and applies the provider's CRDs (adapted to the server's
 * version) and templates to the provider.
 */
export async function demoCommand(
  ctx: CommandContext,
  options: OptionsOf<"demo">,
): Promise<ExitCode> {
  const { stateDir } = options;
  const repo = resolveRepo(ctx.cwd, options.repo);
  const step = (n: number, text: string) => writeLine(ctx.stdout, `\n[${n}/5] ${text}`);

  step(1, `validating ${path.relative(ctx.cwd, repo) || "."}`);
  const snapshot = readFolderSnapshot(repo, { signal: ctx.signal });
  const defaultPolicies = path.join(packageRoot, "policies");
  const report = await validate(snapshot, {
    defaultPolicies: rebaseSnapshot(
      readFolderSnapshot(defaultPolicies, { signal: ctx.signal }),
      path.relative(repo, defaultPolicies).split(path.sep).join("/"),
    ),
    toolVersion: packageVersion(),
    signal: ctx.signal,
  });
  ctx.stdout.write(renderText(report));
  if (report.findings.some((f) => f.severity === "error")) return ExitCode.invalid;

  const credentials = {
    env: ctx.env,
    cwd: ctx.cwd,
    ...(options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig }),
    ...(options.kubeconfigDir === undefined ? {} : { kubeconfigDir: options.kubeconfigDir }),
  };
  const existing =
    credentials.kubeconfig !== undefined ||
    credentials.kubeconfigDir !== undefined ||
    (ctx.env[credentialEnvVar("provider")] && ctx.env[credentialEnvVar("consumer")]);
  let kubeconfigs: { name: string; kubeconfigPath: string }[] = [];
  if (existing) {
    step(2, "connecting to the provider and consumer clusters");
  } else {
    step(2, "starting the local control plane (provider and consumer)");
    const up = await devUp({
      stateDir: path.resolve(ctx.cwd, stateDir),
      cacheDir: defaultCacheDir(ctx.env, ctx.cwd),
      env: ctx.env,
      logger: ctx.logger,
      signal: ctx.signal,
    });
    kubeconfigs = up.clusters;
    credentials.kubeconfigDir = path.resolve(ctx.cwd, stateDir);
  }
  const [onProvider, onConsumer] = await Promise.all(
    ["provider", "consumer"].map((name) =>
      connectCluster(name, { ...credentials, signal: ctx.signal }),
    ),
  );
  if (!onProvider || !onConsumer) {
    throw new BindopsError("internal", "demo-clusters", "could not connect both clusters");
  }
  for (const c of [onProvider, onConsumer]) {
    writeLine(ctx.stdout, `  ${c.name.padEnd(9)} ${describeCredentialSource(c.source)}`);
  }

  step(3, "installing kube-bind's CRDs on both clusters");
  try {
    for (const cluster of [onProvider, onConsumer]) {
      const count = await installKubeBindCrds(cluster, ctx.logger, ctx.signal);
      writeLine(
        ctx.stdout,
        `  ${cluster.name.padEnd(9)} ${count} CRDs (Kubernetes ${cluster.version.gitVersion})`,
      );
    }

    step(4, "applying the providers' CRDs and templates to the provider");
    const applied = await applyProviderObjects(onProvider.client, providerObjects(snapshot), {
      logger: ctx.logger.child({ cluster: "provider" }),
      signal: ctx.signal,
    });
    for (const crd of applied.crds) {
      const note =
        crd.dropped.length > 0
          ? ` (${crd.dropped.length} fields the server predates left out)`
          : "";
      writeLine(ctx.stdout, `  CRD ${crd.name} established${note}`);
    }
    for (const template of applied.templates) {
      writeLine(ctx.stdout, `  APIServiceExportTemplate ${template.metadata.name} applied`);
    }
  } finally {
    onProvider.client.close();
    onConsumer.client.close();
  }

  step(5, "reconciling it as a GitOps repository: a git remote, requests, bindings, status commit");
  // Beside the local clusters' state; in a temporary folder when the clusters are someone else's.
  const gitopsDir = existing
    ? mkdtempSync(path.join(tmpdir(), "bindops-demo-"))
    : path.resolve(ctx.cwd, stateDir, "gitops");
  await reconcileDemoRepository(ctx, repo, gitopsDir, credentials);

  if (kubeconfigs.length > 0) {
    writeLine(ctx.stdout, "\nDone. Use the clusters with any Kubernetes client:");
    for (const c of kubeconfigs) {
      writeLine(ctx.stdout, `  export ${credentialEnvVar(c.name)}=${c.kubeconfigPath}`);
    }
    writeLine(
      ctx.stdout,
      `  kubectl --kubeconfig ${path.relative(ctx.cwd, kubeconfigs[0]!.kubeconfigPath)} get apiserviceexporttemplates`,
    );
    const down =
      stateDir === ".bindops/dev" ? "bindops dev down" : `bindops dev down --state-dir ${stateDir}`;
    writeLine(ctx.stdout, `Stop them with \`${down}\` (add --purge to delete their state).`);
    writeLine(ctx.stdout, "Look for yourself:");
    writeLine(
      ctx.stdout,
      `  kubectl --kubeconfig ${path.relative(ctx.cwd, kubeconfigs[0]!.kubeconfigPath)} get apiserviceexportrequests -A`,
    );
    writeLine(
      ctx.stdout,
      `  kubectl --kubeconfig ${path.relative(ctx.cwd, kubeconfigs[1]?.kubeconfigPath ?? kubeconfigs[0]!.kubeconfigPath)} get apiservicebindings`,
    );
  } else {
    writeLine(ctx.stdout, "\nDone.");
  }
  return ExitCode.ok;
}

/**
 * Step 5: the repository becomes a git repository with a bare remote under the state folder; one
 * pass of `bindops run` follows it: each binding's request turns Succeeded, its APIServiceBinding
 * lands on the consumer, and the status is committed back to the remote.
 */
async function reconcileDemoRepository(
  ctx: CommandContext,
  repo: string,
  stateDir: string,
  credentials: { kubeconfig?: string; kubeconfigDir?: string },
): Promise<void> {
  const dir = path.resolve(
    ctx.cwd,
    stateDir === "/nonexistent" ? ".bindops/demo" : stateDir,
    "gitops",
  );
  const author = { name: "bindops demo", email: "demo@example.invalid" };
  const seeded = await seedRemote(repo, dir, author, { env: ctx.env, signal: ctx.signal });
  writeLine(ctx.stdout, `  remote ${seeded.remote} (main at ${seeded.commit.slice(0, 12)})`);
  const logger = ctx.logger.child({ component: "reconcile" });
  const source = openSource({
    repo: seeded.remote,
    branch: "main",
    cacheDir: path.join(dir, "cache"),
    env: ctx.env,
    logger,
  });
  const reconciler = new Reconciler({
    kubeconfig: credentials.kubeconfig,
    kubeconfigDir: credentials.kubeconfigDir,
    backend: "builtin",
    requestTimeoutMs: 60_000,
    env: ctx.env,
    cwd: ctx.cwd,
    logger,
    signal: ctx.signal,
  });
  try {
    const fetched = await source.fetch({ signal: ctx.signal });
    const result = await reconciler.reconcile(fetched.snapshot, fetched.revision);
    for (const [file, text] of result.statusFiles) {
      const phase = /phase: (\w+)/.exec(text ?? "")?.[1] ?? "deleted";
      writeLine(ctx.stdout, `  ${file.padEnd(34)} ${phase}`);
    }
    const committed = await commitStatus({
      source,
      files: result.statusFiles,
      author,
      message: `bindops: status of ${fetched.revision.slice(0, 12)}`,
      signal: ctx.signal,
    });
    if (committed.committed) {
      writeLine(
        ctx.stdout,
        `  status committed and pushed: ${committed.commit.slice(0, 12)} [skip ci]`,
      );
    }
    writeLine(ctx.stdout, `  see it: git --git-dir ${seeded.remote} log --stat -2`);
    if (result.unreachable.size > 0) {
      throw new BindopsError(
        "unreachable",
        "demo-cluster-unreachable",
        `clusters not reached: ${[...result.unreachable].map(([c, why]) => `${c} (${why})`).join(", ")}`,
      );
    }
    if (result.failed.length > 0) {
      throw new BindopsError(
        "invalid",
        "demo-binding-failed",
        `bindings failed: ${result.failed.join(", ")}`,
      );
    }
  } finally {
    await reconciler.close();
    await source.close();
  }
}

/** The example repository: relative to the working folder, else the one shipped with bindops. */
function resolveRepo(cwd: string, repo: string): string {
  for (const candidate of [path.resolve(cwd, repo), path.resolve(packageRoot, repo)]) {
    if (existsSync(path.join(candidate, "bindops.yaml"))) return candidate;
  }
  throw new BindopsError(
    "usage",
    "repo-not-found",
    `no bindops repository (bindops.yaml) at ${repo}`,
  );
}

/** The objects under providers/ of the snapshot validated in step 1: its bytes, not the disk again. */
function providerObjects(snapshot: Snapshot): KubeObject[] {
  const providers = new Map([...snapshot.files].filter(([file]) => file.startsWith("providers/")));
  return loadFiles(providers).documents.flatMap((d) => kubeObjectOf(d.value) ?? []);
}
