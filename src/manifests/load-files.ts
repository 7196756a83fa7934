import { join } from "node:path";
import type { Finding } from "../core/finding.js";
import type { ManifestDocument } from "../core/manifest.js";
import { loadSource, type LoadLimits } from "./load-source.js";
import { readManifestFile } from "./read-manifest-file.js";
import { SourceMap } from "./source-map.js";

/** Options of `loadFiles`; every limit has a default that real manifests stay far below. */
export interface LoadOptions extends Partial<LoadLimits> {
  /** Larger files are refused without being read. Default 8 MiB. */
  maxFileBytes?: number;
  /** Checked between files. */
  signal?: AbortSignal;
}

/** Everything `loadFiles` read. */
export interface LoadResult {
  /** Mapping documents in file order, then document order. */
  documents: ManifestDocument[];
  /** Load findings in the same order; all errors. */
  findings: Finding[];
  /** Positions for later findings, for every file that had text. */
  sources: SourceMap;
}

/** The limits `loadFiles` applies unless told otherwise. */
export const defaultLoadLimits = {
  maxFileBytes: 8 * 1024 * 1024,
  maxDepth: 100,
  maxAliasNodes: 10_000,
  maxDocuments: 10_000,
} as const;

/**
 * Reads and parses repository files (repo-relative paths, as `discoverFiles` returns them).
 * Synchronous and free of shared state, so callers may split the files across workers and
 * merge the results. Problems with a file are findings and never stop the other files;
 * only an aborted signal throws.
 */
export function loadFiles(
  root: string,
  files: readonly string[],
  options: LoadOptions = {},
): LoadResult {
  const limits: LoadLimits = {
    maxDepth: options.maxDepth ?? defaultLoadLimits.maxDepth,
    maxAliasNodes: options.maxAliasNodes ?? defaultLoadLimits.maxAliasNodes,
    maxDocuments: options.maxDocuments ?? defaultLoadLimits.maxDocuments,
  };
  const maxFileBytes = options.maxFileBytes ?? defaultLoadLimits.maxFileBytes;
  const documents: ManifestDocument[] = [];
  const findings: Finding[] = [];
  const sources = new SourceMap();
  for (const file of files) {
    options.signal?.throwIfAborted();
    const read = readManifestFile(join(root, file), maxFileBytes);
    if (!read.ok) {
      findings.push({
        severity: "error",
        rule: read.rule,
        message: read.message,
        location: { file },
      });
      continue;
    }
    const loaded = loadSource(file, read.bytes, limits);
    documents.push(...loaded.documents);
    findings.push(...loaded.findings);
    if (loaded.source !== undefined) sources.set(file, loaded.source);
  }
  return { documents, findings, sources };
}
