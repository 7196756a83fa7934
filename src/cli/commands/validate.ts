import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BindopsError, ExitCode } from "../../core/errors.js";
import { printable } from "../../report/printable.js";
import { renderReport } from "../../report/render-report.js";
import type { ValidateReport } from "../../report/validate-report.js";
import {
  maxManifestFileBytes,
  rebaseSnapshot,
  tooLarge,
  workingTree,
  type Snapshot,
  type SnapshotFile,
} from "../../core/snapshot.js";
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
  const target = targetOf(ctx, options);
  const { root } = target;
  // Folders outside the repository, named relative to its root in the report.
  const dirs = (list: string[] | undefined, flag: string): Snapshot[] =>
    (list ?? []).map((d) =>
      readExtraFolder(root, path.resolve(ctx.cwd, d), `${flag} ${d}`, ctx.signal),
    );
  const changedFiles = await changedSince(ctx, root, options.changedSince);
  const snapshot = await readTarget(ctx, target, options);
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
    ...(target.reportOnly ? { reportOnly: target.reportOnly } : {}),
    maxDocumentsPerFile: documentCount(options.maxDocuments),
    toolVersion: packageVersion(),
    signal: ctx.signal,
  });

  const shown = relativeTo(report, ctx.cwd);
  for (const { description, files } of shown.skipped ?? []) {
    const some = files.slice(0, 3).map((f) => printable(f));
    ctx.logger.info(
      `skipped ${files.length} ${description}: ${some.join(", ")}${files.length > 3 ? ", ..." : ""}`,
    );
    if (options.verbose) {
      for (const file of files) ctx.logger.info(`skipped ${printable(file)}`);
    } else {
      ctx.logger.debug({ files }, `all skipped ${description}`);
    }
  }
  ctx.stdout.write(renderReport(shown, options.output, { color: ctx.color }));
  ctx.logger.debug({ durationMs: report.durationMs }, "validated");
  return report.findings.some((f) => f.severity === "error") ? ExitCode.invalid : ExitCode.ok;
}

/** What `validate` reads and reports on, from its paths and options. */
interface Target {
  root: string;
  /** The given paths (without `-`), absolute and relative to the root. */
  absolute: string[];
  relative: string[];
  /** `-` was given: standard input is read as the file <stdin>. */
  fromStdin: boolean;
  /** The whole repository is read, for context; only these paths are reported on. */
  reportOnly: string[] | undefined;
}

function targetOf(ctx: CommandContext, options: OptionsOf<"validate">): Target {
  // `-` is standard input (`kustomize build | bindops validate -`), read as the file <stdin>.
  const fromStdin = options.paths.includes("-");
  if (fromStdin && (options.rev !== undefined || options.changedSince !== undefined)) {
    throw new BindopsError(
      "usage",
      "stdin-with-revision",
      "- (standard input) cannot be combined with --rev or --changed-since",
    );
  }
  const absolute = options.paths.filter((p) => p !== "-").map((p) => path.resolve(ctx.cwd, p));
  // A revision is read from git: its paths need not exist in the work tree.
  const missing = absolute.find((p) => !existsSync(p));
  if (missing !== undefined && options.rev === undefined) {
    throw new BindopsError("usage", "path-not-found", `${missing} does not exist`);
  }
  const root = options.root
    ? path.resolve(ctx.cwd, options.root)
    : missing === undefined
      ? findRoot(absolute.length > 0 ? absolute : [ctx.cwd])
      : ctx.cwd;
  // Files or folders inside a repository (and standard input) are validated in its context: a
  // binding's template, the clusters and the policies are read too, and only findings in the
  // given paths reported.
  const relative = absolute.map((p) => path.relative(root, p).split(path.sep).join("/"));
  const inContext =
    existsSync(path.join(root, "bindops.yaml")) &&
    relative.every((p) => p !== ".." && !p.startsWith("../") && !path.isAbsolute(p)) &&
    !relative.includes("");
  const reportOnly = inContext ? [...relative, ...(fromStdin ? [stdinName] : [])] : undefined;
  return { root, absolute, relative, fromStdin, reportOnly };
}

/** The files changed since a revision (`--changed-since`); all when a manifest was deleted. */
async function changedSince(
  ctx: CommandContext,
  root: string,
  revision: string | undefined,
): Promise<Set<string> | undefined> {
  if (revision === undefined || revision === "") return undefined;
  // Loaded only when asked for: git is not needed to validate.
  const { changedFiles } = await import("../../git/changed-files.js");
  const since = await changedFiles(root, revision, { signal: ctx.signal });
  const deletedManifests = [...since.deleted].filter((f) => /\.(ya?ml|json)$/i.test(f));
  if (deletedManifests.length > 0) {
    // What referenced a deleted file can break anywhere: only a full run can tell.
    const some = deletedManifests.slice(0, 3).join(", ");
    ctx.logger.info(
      `${deletedManifests.length} manifest file(s) deleted since ${revision} (${some}${deletedManifests.length > 3 ? ", ..." : ""}); validating everything`,
    );
    return undefined;
  }
  ctx.logger.debug({ files: since.changed.size }, `files changed since ${revision}`);
  return since.changed;
}

/** The snapshot to validate: a folder or a revision, and standard input. */
async function readTarget(
  ctx: CommandContext,
  target: Target,
  options: OptionsOf<"validate">,
): Promise<Snapshot> {
  const { root, absolute, relative, reportOnly } = target;
  const read = { exclude: options.exclude ?? [], signal: ctx.signal };
  let snapshot: Snapshot;
  if (options.rev !== undefined) {
    // Loaded only when asked for: git is not needed to validate a folder.
    const { readRevisionSnapshot } = await import("../../git/read-revision-snapshot.js");
    snapshot = await readRevisionSnapshot(root, options.rev, {
      ...read,
      paths: reportOnly ? [] : relative,
    });
    ctx.logger.debug({ revision: snapshot.revision, files: snapshot.files.size }, "read revision");
  } else if (reportOnly || absolute.length > 0) {
    // The given paths too: one that is not a file or a folder (a pipe) is refused by name.
    snapshot = readFolderSnapshot(root, {
      ...read,
      paths: reportOnly ? [root, ...absolute] : absolute,
    });
  } else {
    const origin = { kind: "folder", path: root } as const;
    snapshot = { revision: workingTree, origin, files: new Map(), findings: [] };
  }
  if (!target.fromStdin) return snapshot;
  const input = await readStdin(ctx);
  return { ...snapshot, files: new Map([[stdinName, input], ...snapshot.files]) };
}

/** The name standard input's manifests are reported under. */
const stdinName = "<stdin>";

/**
 * Everything on standard input, as a snapshot file: refused, like any file, when it is larger than
 * a manifest may be (reading stops there).
 */
async function readStdin(ctx: CommandContext): Promise<SnapshotFile> {
  const { stdin } = ctx;
  if (stdin === undefined) {
    throw new BindopsError("usage", "no-stdin", "- (standard input): there is no standard input");
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    ctx.signal.throwIfAborted();
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > maxManifestFileBytes) return tooLarge(size);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

/** `--max-documents`: a positive whole number; anything else is a usage error. */
function documentCount(given: string): number {
  const count = /^\d+$/.test(given.trim()) ? Number(given) : NaN;
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new BindopsError("usage", "bad-max-documents", `--max-documents ${given}: not a count`, {
      hint: "give a whole number of documents, such as 200000",
    });
  }
  return count;
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
 * else the first path (the folder of a file) when it holds every path; else the deepest folder
 * that holds every path.
 */
function findRoot(paths: readonly string[]): string {
  const folderOf = (p: string) => (statSync(p).isDirectory() ? p : path.dirname(p));
  const first = folderOf(paths[0]!);
  for (let dir = first; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "bindops.yaml"))) return dir;
    if (path.dirname(dir) === dir) break;
  }
  const inside = (dir: string, p: string) => !path.relative(dir, p).startsWith("..");
  let common = first;
  while (!paths.every((p) => inside(common, p))) common = path.dirname(common);
  return common;
}

/**
 * Reports name files relative to where the user ran bindops (and where CI annotates them), not
 * relative to the repository root.
 */
function relativeTo(report: ValidateReport, cwd: string): ValidateReport {
  if (path.relative(cwd, report.root) === "") return report;
  const rename = (file: string) =>
    file === stdinName
      ? file
      : path.relative(cwd, path.resolve(report.root, file)).split(path.sep).join("/");
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
