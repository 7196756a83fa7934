import { sep } from "node:path";
import { maxManifestFileBytes, type SnapshotFile } from "../core/snapshot.js";
import { readManifestFile } from "./read-manifest-file.js";

/** Options of {@link readFiles}. */
export interface ReadFilesOptions {
  /** Larger files are refused without being read. Default {@link maxManifestFileBytes}. */
  maxFileBytes?: number;
  /** Checked between files. */
  signal?: AbortSignal;
}

/**
 * Reads the named files (relative to `root`, forward slashes) into path → bytes, in the order
 * given. A file that cannot be read, or is too large, maps to why; only an aborted signal throws.
 */
export function readFiles(
  root: string,
  files: readonly string[],
  options: ReadFilesOptions = {},
): Map<string, SnapshotFile> {
  const maxBytes = options.maxFileBytes ?? maxManifestFileBytes;
  // Paths from discovery are normalised already: joining them needs no path.join.
  const base = root.endsWith(sep) ? root : root + sep;
  const read = new Map<string, SnapshotFile>();
  for (const file of files) {
    options.signal?.throwIfAborted();
    read.set(file, readManifestFile(base + file.split("/").join(sep), maxBytes));
  }
  return read;
}
