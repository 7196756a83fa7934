import { posix, resolve } from "node:path";
import { BindopsError } from "../core/errors.js";
import { compareFindings, compareStrings, type Finding } from "../core/finding.js";
import {
  manifestFileName,
  maxManifestFileBytes,
  tooLarge,
  type Snapshot,
  type SnapshotFile,
} from "../core/snapshot.js";
import { ignoreRules } from "./ignore-rules.js";
import { defaultExcludes } from "./read-folder-snapshot.js";
import { runGit } from "./run-git.js";

/** Options of {@link readRevisionSnapshot}. */
export interface ReadRevisionOptions {
  /** Files or folders to read, relative to the folder; none means all. */
  paths?: readonly string[];
  /** gitignore-style patterns to skip, on top of the revision's `.bindopsignore`. */
  exclude?: readonly string[];
  /** Larger files are refused without being read. Default {@link maxManifestFileBytes}. */
  maxFileBytes?: number;
  signal?: AbortSignal;
}

/** One entry of `git ls-tree -r -t -l`. */
interface TreeEntry {
  mode: string;
  type: string;
  oid: string;
  size: number;
}

/** Never read, wherever they are (as for a folder). */
const skippedFolders = new Set([".git", "node_modules"]);

/**
 * A folder of a git repository as it is at `revision`, as a {@link Snapshot}: the same files a
 * folder snapshot of a checkout of that revision holds (`.bindopsignore` read from the revision),
 * read from git's object database (`git ls-tree`, `git cat-file --batch`) without a checkout or
 * a work tree change. Symbolic links to files inside the folder are followed; others are refused
 * as in a folder. A revision that starts with `-` is refused: it would reach git as an option.
 */
export async function readRevisionSnapshot(
  root: string,
  revision: string,
  options: ReadRevisionOptions = {},
): Promise<Snapshot> {
  const path = resolve(root);
  const signal = options.signal;
  const git = (args: string[], input?: string) =>
    runGit(args, {
      cwd: path,
      ...(input === undefined ? {} : { input }),
      ...(signal ? { signal } : {}),
    });
  const commit = await resolveCommit(git, path, revision);

  const entries = await listTree(git, commit);
  const ignoreFile = entries.get(".bindopsignore");
  const ignoreText =
    ignoreFile?.type === "blob"
      ? ((await catFiles(git, [ignoreFile.oid])).get(ignoreFile.oid)?.toString("utf8") ?? "")
      : "";
  const isManifest = manifestFilter(ignoreText, entries, revision, options);

  const wanted = new Map<string, TreeEntry>();
  const links: [string, TreeEntry][] = [];
  for (const [file, entry] of entries) {
    if (entry.type !== "blob" || !isManifest(file)) continue;
    if (entry.mode === symlinkMode) links.push([file, entry]);
    else wanted.set(file, entry);
  }
  const findings = await followLinks(git, links, entries, wanted);
  const maxBytes = options.maxFileBytes ?? maxManifestFileBytes;
  const toRead = [...wanted.values()].filter((entry) => entry.size <= maxBytes);
  const contents = await catFiles(
    git,
    toRead.map((entry) => entry.oid),
  );
  const files = new Map<string, SnapshotFile>();
  for (const file of [...wanted.keys()].sort(compareStrings)) {
    const entry = wanted.get(file)!;
    files.set(
      file,
      entry.size > maxBytes
        ? tooLarge(entry.size, maxBytes)
        : (contents.get(entry.oid) ?? {
            rule: "unreadable-file",
            message: `git has no object ${entry.oid}`,
          }),
    );
  }
  return {
    revision: commit,
    origin: { kind: "git", path, revision },
    files,
    findings: findings.sort(compareFindings),
  };
}

type Git = (args: string[], input?: string) => Promise<Buffer>;

/** The mode git gives a symbolic link. */
const symlinkMode = "120000";

/** Every blob and tree of the commit under the folder git runs in, by path relative to it. */
async function listTree(git: Git, commit: string): Promise<Map<string, TreeEntry>> {
  // Paths as git lists them are relative to the folder git runs in when it is inside the tree.
  const listing = await git(["ls-tree", "-r", "-t", "-l", "-z", commit, "--", "."]);
  const entries = new Map<string, TreeEntry>();
  for (const record of listing.toString("utf8").split("\0")) {
    const tab = record.indexOf("\t");
    if (tab < 0) continue;
    const [mode = "", type = "", oid = "", size = ""] = record.slice(0, tab).split(/ +/);
    entries.set(record.slice(tab + 1), { mode, type, oid, size: Number(size) || 0 });
  }
  return entries;
}

/**
 * Whether a path of the tree is a manifest a folder snapshot would hold: a manifest's name,
 * under the paths asked for, in no skipped or ignored folder, and not ignored itself.
 */
function manifestFilter(
  ignoreText: string,
  entries: ReadonlyMap<string, TreeEntry>,
  revision: string,
  options: ReadRevisionOptions,
): (file: string) => boolean {
  const { ignores, filesMayMatch } = ignoreRules(ignoreText, [
    ...defaultExcludes,
    ...(options.exclude ?? []),
  ]);
  const folderIgnored = new Map<string, boolean>();
  const inIgnoredFolder = (file: string): boolean => {
    const slash = file.lastIndexOf("/");
    if (slash < 0) return false;
    const folder = file.slice(0, slash);
    let ignored = folderIgnored.get(folder);
    if (ignored === undefined) {
      const name = folder.slice(folder.lastIndexOf("/") + 1);
      ignored = skippedFolders.has(name) || inIgnoredFolder(folder) || ignores(`${folder}/`);
      folderIgnored.set(folder, ignored);
    }
    return ignored;
  };
  const selected = selector(options.paths ?? [], entries, revision);
  return (file) =>
    manifestFileName.test(file) &&
    selected(file) &&
    !skippedFolders.has(file.slice(file.lastIndexOf("/") + 1)) &&
    !inIgnoredFolder(file) &&
    !(filesMayMatch && ignores(file));
}

/**
 * Follows symbolic links to files inside the folder, adding their targets to `wanted` under the
 * links' names; links that lead outside, or to nothing, are findings (as in a folder).
 */
async function followLinks(
  git: Git,
  links: readonly [string, TreeEntry][],
  entries: ReadonlyMap<string, TreeEntry>,
  wanted: Map<string, TreeEntry>,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  if (links.length === 0) return findings;
  const refuse = (file: string, rule: string, message: string) =>
    findings.push({ severity: "error", rule, message, location: { file } });
  const targets = await catFiles(
    git,
    links.map(([, link]) => link.oid),
  );
  for (const [file, link] of links) {
    const target = posix.normalize(
      posix.join(posix.dirname(file), targets.get(link.oid)?.toString("utf8") ?? ""),
    );
    const entry = entries.get(target);
    if (target === ".." || target.startsWith("../") || posix.isAbsolute(target)) {
      refuse(
        file,
        "symlink-outside-root",
        "the symbolic link leads outside the repository, so it is not followed",
      );
    } else if (entry?.type === "blob" && entry.mode !== symlinkMode) {
      wanted.set(file, entry);
    } else if (entry === undefined) {
      refuse(file, "symlink-broken", "the symbolic link points to nothing");
    }
  }
  return findings;
}

/** The commit `revision` names, or a usage error that says why not. */
async function resolveCommit(git: Git, path: string, revision: string): Promise<string> {
  if (revision.startsWith("-") || revision.trim() === "") {
    throw new BindopsError("usage", "invalid-revision", `"${revision}" is not a git revision`, {
      hint: "name a branch, tag or commit, e.g. --rev origin/main",
    });
  }
  try {
    await git(["rev-parse", "--git-dir"]);
  } catch (error) {
    if (error instanceof BindopsError) throw error;
    throw new BindopsError(
      "usage",
      "not-a-git-repository",
      `${path} is not inside a git repository`,
      {
        cause: error,
        hint: "--rev reads a git revision; drop it to validate the files as they are",
      },
    );
  }
  let commit = "";
  try {
    const args = ["rev-parse", "--verify", "--quiet", "--end-of-options", `${revision}^{commit}`];
    commit = (await git(args)).toString("utf8").trim();
  } catch {
    // reported below
  }
  if (!/^[0-9a-f]{40,64}$/.test(commit)) {
    throw new BindopsError(
      "usage",
      "unknown-revision",
      `git does not know revision "${revision}"`,
      {
        hint: "fetch enough history (e.g. actions/checkout with fetch-depth: 0) or name an existing revision",
      },
    );
  }
  return commit;
}

/**
 * Whether a file is under one of `paths` (relative, forward or platform slashes; none means all).
 * A path that names nothing in the revision is a usage error, as for a folder.
 */
function selector(
  paths: readonly string[],
  entries: ReadonlyMap<string, TreeEntry>,
  revision: string,
): (file: string) => boolean {
  const wanted = paths
    .map((p) => posix.normalize(p.split("\\").join("/")).replace(/\/+$/, ""))
    .map((p) => (p === "." ? "" : p));
  if (wanted.length === 0 || wanted.includes("")) return () => true;
  for (const [i, p] of wanted.entries()) {
    if (p === ".." || p.startsWith("../") || posix.isAbsolute(p)) {
      throw new BindopsError(
        "usage",
        "path-outside-root",
        `${paths[i]} is outside the repository root`,
      );
    }
    if (!entries.has(p)) {
      throw new BindopsError(
        "usage",
        "path-not-found",
        `${paths[i]} does not exist at ${revision}`,
      );
    }
  }
  return (file) => wanted.some((p) => file === p || file.startsWith(`${p}/`));
}

/** The contents of blobs, by object id, through one `git cat-file --batch`. */
async function catFiles(git: Git, oids: readonly string[]): Promise<Map<string, Buffer>> {
  const contents = new Map<string, Buffer>();
  const unique = [...new Set(oids)];
  if (unique.length === 0) return contents;
  const output = await git(["cat-file", "--batch"], unique.join("\n") + "\n");
  // Each object: `<oid> <type> <size>\n<contents>\n`; a missing one: `<oid> missing\n`.
  let at = 0;
  while (at < output.length) {
    const newline = output.indexOf(0x0a, at);
    if (newline < 0) break;
    const [oid = "", type = "", size = ""] = output
      .subarray(at, newline)
      .toString("utf8")
      .split(" ");
    at = newline + 1;
    if (type === "missing") continue;
    const length = Number(size);
    contents.set(oid, output.subarray(at, at + length));
    at += length + 1;
  }
  return contents;
}
