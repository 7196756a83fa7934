import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import type { Dirent, Stats } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { BindopsError } from "../core/errors.js";
import { compareFindings, type Finding } from "../core/finding.js";
import { manifestFileName } from "../core/snapshot.js";
import { ignoreRules } from "./ignore-rules.js";

/** Options of `discoverFiles`. */
export interface DiscoverOptions {
  /** More gitignore-style patterns to skip, on top of `.bindopsignore` (from `--exclude`). */
  exclude?: readonly string[];
  /** Checked between directories. */
  signal?: AbortSignal;
}

/** The files to load, and the links and folders that were refused on the way. */
export interface DiscoveredFiles {
  /** Repo-relative paths with forward slashes, sorted by code unit, without duplicates. */
  files: string[];
  /**
   * `symlink-outside-root`, `symlink-broken` and `unreadable-file` errors (the last for folders
   * that cannot be read, and for pipes, sockets and devices, which are never opened).
   */
  findings: Finding[];
}

const MANIFEST = manifestFileName;
/** Never walked, wherever they are. */
const SKIPPED_DIRECTORIES = new Set([".git", "node_modules"]);

/**
 * Lists the manifest files (`*.yaml`, `*.yml`, `*.json`) under `paths` (files or directories,
 * relative to `root` or absolute inside it; none means the whole root). `.git` and
 * `node_modules` are skipped, and so is what `.bindopsignore` at the root and `exclude` match
 * (gitignore syntax). The same filters apply to files named directly, so a list of changed files
 * can be passed as is.
 *
 * Symbolic links are followed when they stay inside the root (a link back to a directory being
 * walked is not followed again); one that leads outside the root, or nowhere, is a finding and is
 * not followed. A path that does not exist or lies outside the root is a usage error.
 */
export function discoverFiles(
  root: string,
  paths: readonly string[],
  options: DiscoverOptions = {},
): DiscoveredFiles {
  const rootPath = resolve(root);
  const rootReal = realRoot(rootPath);
  const ignoreFile = readIgnoreFile(rootReal);
  const { ignores, filesMayMatch } = ignoreRules(ignoreFile, options.exclude ?? []);
  const files = new Set<string>();
  const findings: Finding[] = refuseHiddenPolicies(rootReal, ignoreFile, options.exclude ?? []);

  const isIgnored = (rel: string, directory: boolean): boolean =>
    rel.split("/").some((segment) => SKIPPED_DIRECTORIES.has(segment)) ||
    ignores(directory ? `${rel}/` : rel);

  const refuse = (
    rel: string,
    rule: "symlink-outside-root" | "symlink-broken" | "unreadable-file",
    message: string,
  ) => findings.push({ severity: "error", rule, message, location: { file: rel } });
  /** A pipe, socket or device is never opened: reading a pipe would wait for a writer. */
  const refuseSpecial = (rel: string, stat: Stats | Dirent) =>
    refuse(rel, "unreadable-file", `not a regular file but ${specialFileKind(stat)}; not read`);

  /** Follows a link; undefined when it must not be (a finding says why, where it matters). */
  const follow = (
    abs: string,
    rel: string,
    explicit = false,
  ): { real: string; stat: Stats } | undefined => {
    let real: string;
    let stat: Stats;
    try {
      real = realpathSync(abs);
      stat = statSync(real);
    } catch {
      if (MANIFEST.test(rel)) refuse(rel, "symlink-broken", "the symbolic link points to nothing");
      return undefined;
    }
    if (!inside(rootReal, real)) {
      if (explicit || stat.isDirectory() || MANIFEST.test(rel)) {
        refuse(
          rel,
          "symlink-outside-root",
          "the symbolic link leads outside the repository, so it is not followed",
        );
      }
      return undefined;
    }
    return { real, stat };
  };

  // `onPath` holds the real paths of the directories being walked, so a link back to one of them
  // is not followed: no cycles, however the links are arranged.
  const walk = (abs: string, rel: string, real: string, onPath: Set<string>): void => {
    options.signal?.throwIfAborted();
    onPath.add(real);
    let entries: Dirent[];
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch (cause) {
      const code = (cause as { code?: unknown }).code;
      findings.push({
        severity: "error",
        rule: "unreadable-file",
        message: `the directory cannot be read (${typeof code === "string" ? code : String(cause)})`,
        location: { file: rel === "" ? "." : rel },
      });
      return;
    }
    for (const entry of entries) {
      const childAbs = abs.endsWith(sep) ? abs + entry.name : abs + sep + entry.name;
      const childRel = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!isIgnored(childRel, true)) walk(childAbs, childRel, join(real, entry.name), onPath);
      } else if (entry.isFile()) {
        // The folders above were let through already; a file itself can only match a rule that
        // is not for folders alone.
        if (MANIFEST.test(entry.name) && !(filesMayMatch && isIgnored(childRel, false))) {
          files.add(childRel);
        }
      } else if (entry.isSymbolicLink()) {
        if (isIgnored(childRel, false) || isIgnored(childRel, true)) continue;
        const target = follow(childAbs, childRel);
        if (target === undefined) continue;
        if (target.stat.isDirectory()) {
          if (!onPath.has(target.real)) walk(childAbs, childRel, target.real, onPath);
        } else if (MANIFEST.test(entry.name)) {
          if (target.stat.isFile()) files.add(childRel);
          else refuseSpecial(childRel, target.stat);
        }
      } else if (MANIFEST.test(entry.name) && !isIgnored(childRel, false)) {
        refuseSpecial(childRel, entry);
      }
    }
    onPath.delete(real);
  };

  for (const path of paths.length === 0 ? ["."] : paths) {
    const abs = resolve(rootPath, path);
    const rel = repoRelative(rootPath, rootReal, abs, path);
    try {
      lstatSync(abs);
    } catch {
      throw new BindopsError("usage", "path-not-found", `${path} does not exist`, {
        hint: `paths are taken relative to the repository root ${rootPath}`,
      });
    }
    if (rel === "") {
      walk(rootPath, "", rootReal, new Set());
      continue;
    }
    // Resolved as a whole: a link anywhere along the path may lead outside the root.
    const target = follow(abs, rel, true);
    if (target === undefined) continue;
    if (target.stat.isDirectory()) {
      if (!isIgnored(rel, true)) walk(abs, rel, target.real, new Set());
    } else if (!target.stat.isFile()) {
      // Named by the user: whatever its name, it was meant to be read.
      refuseSpecial(rel, target.stat);
    } else if (MANIFEST.test(rel) && !isIgnored(rel, false)) {
      files.add(rel);
    }
  }
  return { files: [...files].sort(byCodeUnit), findings: findings.sort(compareFindings) };
}

/** What a file that is neither a regular file nor a directory is, for a message. */
function specialFileKind(stat: Stats | Dirent): string {
  if (stat.isFIFO()) return "a named pipe (FIFO)";
  if (stat.isSocket()) return "a socket";
  if (stat.isCharacterDevice()) return "a character device";
  if (stat.isBlockDevice()) return "a block device";
  return "a special file";
}

function realRoot(rootPath: string): string {
  try {
    const real = realpathSync(rootPath);
    if (statSync(real).isDirectory()) return real;
  } catch {
    // reported below
  }
  throw new BindopsError(
    "usage",
    "path-not-found",
    `the repository root ${rootPath} is not a directory`,
  );
}

/**
 * The repository file and the policies folder are never ignorable: hiding them would switch the
 * repository's claim policies off without a word. `.bindopsignore` that matches them is an error
 * finding on it (the run fails); `--exclude` that does is a usage error.
 */
function refuseHiddenPolicies(
  rootReal: string,
  ignoreFile: string,
  exclude: readonly string[],
): Finding[] {
  const repositoryFile = join(rootReal, "bindops.yaml");
  let text: string;
  try {
    text = readFileSync(repositoryFile, "utf8");
  } catch {
    return []; // not a bindops repository, or nothing to protect
  }
  // `spec.paths.policies`, read without a YAML parser: this layer only lists files.
  const configured = /^\s+policies:\s*["']?([^"'\s#]+)/m.exec(text)?.[1];
  const folder = (configured ?? "policies").replace(/^\.\//, "").replace(/\/+$/, "");
  const guarded = ["bindops.yaml", `${folder}/`];
  try {
    for (const entry of readdirSync(join(rootReal, folder), { withFileTypes: true })) {
      if (entry.isFile() && MANIFEST.test(entry.name)) guarded.push(`${folder}/${entry.name}`);
    }
  } catch {
    // no policies folder: only the repository file is guarded
  }
  const fromIgnoreFile = ignoreFile === "" ? undefined : ignoreRules(ignoreFile, []);
  const fromExclude = exclude.length === 0 ? undefined : ignoreRules("", exclude);
  const hidden = (rules: typeof fromExclude) => guarded.find((path) => rules?.ignores(path));
  const excluded = hidden(fromExclude);
  if (excluded !== undefined) {
    throw new BindopsError("usage", "exclude-hides-policies", `--exclude matches ${excluded}`, {
      hint: "bindops.yaml and the policies folder are always validated: they decide which claims are allowed",
    });
  }
  const ignored = hidden(fromIgnoreFile);
  if (ignored === undefined) return [];
  return [
    {
      severity: "error",
      rule: "ignore-hides-policies",
      message: `.bindopsignore matches ${ignored}, which is never ignorable: ignoring bindops.yaml or the policies folder would switch the repository's claim policies off`,
      location: { file: ".bindopsignore" },
    },
  ];
}

/** `.bindopsignore` at the root, or `""` when there is none. */
function readIgnoreFile(rootReal: string): string {
  try {
    return readFileSync(join(rootReal, ".bindopsignore"), "utf8");
  } catch (cause) {
    if ((cause as { code?: unknown }).code === "ENOENT") return "";
    throw new BindopsError("usage", "unreadable-ignore-file", ".bindopsignore cannot be read", {
      cause,
    });
  }
}

/** `abs` relative to the root with forward slashes (`""` for the root itself), or a usage error. */
function repoRelative(rootPath: string, rootReal: string, abs: string, given: string): string {
  for (const base of [rootPath, rootReal]) {
    const rel = relative(base, abs);
    const up = rel === ".." || rel.startsWith(`..${sep}`);
    if (!up && !isAbsolute(rel)) return rel.split(sep).join("/");
  }
  throw new BindopsError(
    "usage",
    "path-outside-root",
    `${given} is outside the repository root ${rootPath}`,
  );
}

function inside(rootReal: string, real: string): boolean {
  return real === rootReal || real.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep);
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
