import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BindopsError, ExitCode } from "../../core/errors.js";
import { renderReport } from "../../report/render-report.js";
import type { ValidateReport } from "../../report/validate-report.js";
import { rebaseSnapshot, type Snapshot } from "../../core/snapshot.js";
import { readFolderSnapshot } from "../../git/read-folder-snapshot.js";
import { validate } from "../../validate/validate.js";
import type { CommandContext } from "../io.js";
import { packageVersion } from "../package-version.js";
import type { OptionsOf } from "./command-specs.js";

/** The policies bindops ships, next to dist/ in the package. */
export const defaultPolicyDir = fileURLToPath(new URL("../../../policies", import.meta.url));

/** `bindops validate [paths...]`: exit 2 when a finding is an error, 0 otherwise. */
export async function validateCommand(
  ctx: CommandContext,
  options: OptionsOf<"validate">,
): Promise<ExitCode> {
  const absolute = options.paths.map((p) => path.resolve(ctx.cwd, p));
  // A revision is read from git: its paths need not exist in the work tree.
  const onDisk = absolute.every((p) => existsSync(p));
  if (!onDisk && options.rev === undefined) {
    const missing = absolute.find((p) => !existsSync(p));
    throw new BindopsError("usage", "path-not-found", `${missing} does not exist`);
  }
  const root = options.root
    ? path.resolve(ctx.cwd, options.root)
    : onDisk
      ? findRoot(absolute, ctx.cwd)
      : ctx.cwd;
  // Folders outside the repository, named relative to its root in the report.
  const dirs = (list: string[] | undefined, flag: string): Snapshot[] =>
    (list ?? []).map((d) =>
      readExtraFolder(root, path.resolve(ctx.cwd, d), `${flag} ${d}`, ctx.signal),
    );

  let changedFiles: Set<string> | undefined;
  if (options.changedSince) {
    // Loaded only when asked for: git is not needed to validate.
    const { changedFiles: changed } = await import("../../git/changed-files.js");
    const since = await changed(root, options.changedSince, { signal: ctx.signal });
    const deletedManifests = [...since.deleted].filter((f) => /\.(ya?ml|json)$/i.test(f));
    if (deletedManifests.length > 0) {
      // What referenced a deleted file can break anywhere: only a full run can tell.
      ctx.logger.info(
        `${deletedManifests.length} manifest file(s) deleted since ${options.changedSince} (${deletedManifests.slice(0, 3).join(", ")}${deletedManifests.length > 3 ? ", ..." : ""}); validating everything`,
      );
    } else {
      changedFiles = since.changed;
      ctx.logger.debug({ files: changedFiles.size }, `files changed since ${options.changedSince}`);
    }
  }

  const read = { exclude: options.exclude ?? [], signal: ctx.signal };
  let snapshot: Snapshot;
  if (options.rev !== undefined) {
    // Loaded only when asked for: git is not needed to validate a folder.
    const { readRevisionSnapshot } = await import("../../git/read-revision-snapshot.js");
    const relative = absolute.map((p) => path.relative(root, p).split(path.sep).join("/"));
    snapshot = await readRevisionSnapshot(root, options.rev, { ...read, paths: relative });
    ctx.logger.debug({ revision: snapshot.revision, files: snapshot.files.size }, "read revision");
  } else {
    snapshot = readFolderSnapshot(root, { ...read, paths: absolute });
  }
  ctx.logger.debug({ files: snapshot.files.size }, "validating");
  const report = await validate(snapshot, {
    crds: dirs(options.crdDir, "--crd-dir"),
    policies: dirs(options.policy, "--policy"),
    ...(existsSync(defaultPolicyDir)
      ? { defaultPolicies: readExtraFolder(root, defaultPolicyDir, "policies", ctx.signal) }
      : {}),
    ignoreUnknownKinds: options.ignoreUnknownKinds,
    ...(options.kubernetesVersion === undefined
      ? {}
      : { kubernetesVersion: kubernetesRelease(options.kubernetesVersion) }),
    ...(changedFiles ? { changedFiles } : {}),
    toolVersion: packageVersion(),
    signal: ctx.signal,
  });

  const shown = relativeTo(report, ctx.cwd);
  for (const { description, files } of shown.skipped ?? []) {
    const some = files.slice(0, 3).join(", ") + (files.length > 3 ? ", ..." : "");
    ctx.logger.info(`skipped ${files.length} ${description}: ${some}`);
    ctx.logger.debug({ files }, `all skipped ${description}`);
  }
  ctx.stdout.write(
    renderReport(shown, options.output, {
      color: ctx.color,
    }),
  );
  ctx.logger.debug({ durationMs: report.durationMs }, "validated");
  return report.findings.some((f) => f.severity === "error") ? ExitCode.invalid : ExitCode.ok;
}

/** `1.25`, `v1.25` or `1.25.3` as the release `1.25`; anything else is a usage error. */
export function kubernetesRelease(version: string): string {
  const match = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(version.trim());
  if (match === null) {
    throw new BindopsError(
      "usage",
      "bad-kubernetes-version",
      `--kubernetes-version ${version}: not a Kubernetes release`,
      { hint: "write it as 1.29 (or v1.29.3)" },
    );
  }
  return `${match[1]}.${match[2]}`;
}

/** A folder outside the repository walk as a snapshot, its files named relative to the root. */
export function readExtraFolder(
  root: string,
  dir: string,
  what: string,
  signal: AbortSignal,
): Snapshot {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new BindopsError("usage", "not-a-folder", `${what}: not a folder`);
  }
  const prefix = path.relative(root, dir).split(path.sep).join("/");
  return rebaseSnapshot(readFolderSnapshot(dir, { signal }), prefix);
}

/**
 * The repository root: the nearest folder, from the first path upwards, that holds bindops.yaml;
 * else the current folder when every path is inside it; else the deepest folder holding every path.
 */
function findRoot(paths: readonly string[], cwd: string): string {
  const folderOf = (p: string) => (statSync(p).isDirectory() ? p : path.dirname(p));
  const first = paths[0] ?? cwd;
  for (let dir = folderOf(first); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "bindops.yaml"))) return dir;
    if (path.dirname(dir) === dir) break;
  }
  const inside = (dir: string, p: string) => !path.relative(dir, p).startsWith("..");
  if (paths.every((p) => inside(cwd, p))) return cwd;
  let common = folderOf(first);
  while (!paths.every((p) => inside(common, p))) common = path.dirname(common);
  return common;
}

/**
 * Reports name files relative to where the user ran bindops (and where CI annotates them), not
 * relative to the repository root.
 */
function relativeTo(report: ValidateReport, cwd: string): ValidateReport {
  const prefix = path.relative(cwd, report.root).split(path.sep).join("/");
  if (!prefix) return report;
  const rename = (file: string) => path.posix.normalize(`${prefix}/${file}`);
  return {
    ...report,
    root: cwd,
    findings: report.findings.map((f) => ({
      ...f,
      location: { ...f.location, file: rename(f.location.file) },
    })),
    ...(report.inventory
      ? { inventory: report.inventory.map((f) => ({ ...f, file: rename(f.file) })) }
      : {}),
    ...(report.skipped
      ? { skipped: report.skipped.map((s) => ({ ...s, files: s.files.map(rename) })) }
      : {}),
  };
}
