import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import type { Finding } from "../core/finding.js";
import type { ManifestDocument } from "../core/manifest.js";
import type { LoadRule } from "./load-rules.js";
import { loadSource, type LoadLimits } from "./load-source.js";
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
    const read = readCapped(join(root, file), maxFileBytes);
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

type Read = { ok: true; bytes: Uint8Array } | { ok: false; rule: LoadRule; message: string };

/**
 * The file's bytes, or why not. The size is checked on the open descriptor before reading and the
 * read never goes past it, so a huge file (or one that grows meanwhile) is not slurped.
 */
function readCapped(path: string, maxBytes: number): Read {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (cause) {
    return unreadable(cause);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile())
      return { ok: false, rule: "unreadable-file", message: "not a regular file" };
    if (stat.size > maxBytes) return tooLarge(stat.size, maxBytes);
    // One byte more than the size tells a file that grew after the stat.
    const buffer = Buffer.allocUnsafe(stat.size + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n) {
      n = readSync(fd, buffer, length, buffer.length - length, null);
    }
    if (length > stat.size) {
      return { ok: false, rule: "unreadable-file", message: "the file changed while being read" };
    }
    return { ok: true, bytes: buffer.subarray(0, length) };
  } catch (cause) {
    return unreadable(cause);
  } finally {
    closeSync(fd);
  }
}

function tooLarge(size: number, maxBytes: number): Read {
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return {
    ok: false,
    rule: "file-too-large",
    message: `the file is ${mib(size)}, over the ${mib(maxBytes)} limit for a manifest file`,
  };
}

function unreadable(cause: unknown): Read {
  const code = (cause as { code?: unknown } | null)?.code;
  const reason =
    typeof code === "string" ? code : cause instanceof Error ? cause.message : String(cause);
  return { ok: false, rule: "unreadable-file", message: `the file cannot be read (${reason})` };
}
