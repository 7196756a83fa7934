import { appendAll } from "../core/append-all.js";
import type { Finding } from "../core/finding.js";
import type { ManifestDocument } from "../core/manifest.js";
import { isReadable, maxManifestFileBytes, type SnapshotFile } from "../core/snapshot.js";
import { loadSource, type LoadLimits } from "./load-source.js";
import { SourceMap } from "./source-map.js";

/** Options of `loadFiles`; every limit has a default that real manifests stay far below. */
export interface LoadOptions extends Partial<LoadLimits> {
  /** Checked between files. */
  signal?: AbortSignal;
  /**
   * Which documents to parse, by their text: others are skipped without a document or a finding
   * (for readers that want a few kinds and know them by their text). Default: all.
   */
  wanted?: (text: string) => boolean;
}

/** Everything `loadFiles` parsed. */
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
  maxFileBytes: maxManifestFileBytes,
  maxDepth: 100,
  maxAliasNodes: 10_000,
  maxDocuments: 100_000,
} as const;

/**
 * Parses files of a snapshot (path → bytes, or why a file was not read), in the map's order.
 * Free of I/O and of shared state, so callers may split the files across workers and merge the
 * results. Problems with a file are findings and never stop the other files; only an aborted
 * signal throws.
 */
export function loadFiles(
  files: ReadonlyMap<string, SnapshotFile>,
  options: LoadOptions = {},
): LoadResult {
  const limits: LoadLimits = {
    maxDepth: options.maxDepth ?? defaultLoadLimits.maxDepth,
    maxAliasNodes: options.maxAliasNodes ?? defaultLoadLimits.maxAliasNodes,
    maxDocuments: options.maxDocuments ?? defaultLoadLimits.maxDocuments,
  };
  const documents: ManifestDocument[] = [];
  const findings: Finding[] = [];
  const sources = new SourceMap();
  for (const [file, content] of files) {
    options.signal?.throwIfAborted();
    if (!isReadable(content)) {
      const { rule, message } = content;
      findings.push({ severity: "error", rule, message, location: { file } });
      continue;
    }
    const loaded = loadSource(file, content, limits, options.wanted);
    appendAll(documents, loaded.documents);
    appendAll(findings, loaded.findings);
    if (loaded.source !== undefined) sources.set(file, loaded.source);
  }
  return { documents, findings, sources };
}
