import { resolve } from "node:path";
import { workingTree, type Snapshot } from "../core/snapshot.js";
import { discoverFiles } from "./discover-files.js";
import { readFiles } from "./read-files.js";

/** Options of {@link readFolderSnapshot}. */
export interface ReadFolderOptions {
  /** Files or folders to read, relative to the folder or absolute inside it; none means all. */
  paths?: readonly string[];
  /** gitignore-style patterns to skip, on top of `.bindopsignore` and {@link defaultExcludes}. */
  exclude?: readonly string[];
  /** Checked between folders and files. */
  signal?: AbortSignal;
}

/** Folders a repository does not hold manifests in: tooling, CI, local state. */
export const defaultExcludes: readonly string[] = [".*/", "node_modules/"];

/**
 * A folder as it is now, as a {@link Snapshot}: its manifest files (see `discoverFiles` for which,
 * and how links are followed) with their bytes. Synchronous: reading a repository's manifests
 * is a few hundred small reads.
 */
export function readFolderSnapshot(root: string, options: ReadFolderOptions = {}): Snapshot {
  const path = resolve(root);
  const signal = options.signal ? { signal: options.signal } : {};
  const discovered = discoverFiles(path, options.paths ?? [], {
    exclude: [...defaultExcludes, ...(options.exclude ?? [])],
    ...signal,
  });
  return {
    revision: workingTree,
    origin: { kind: "folder", path },
    files: readFiles(path, discovered.files, signal),
    findings: discovered.findings,
  };
}
