import { YAMLException } from "js-yaml";
import type { Finding, FindingLocation } from "../core/finding.js";
import type { ManifestDocument } from "../core/manifest.js";
import { decodeSource } from "./decode-source.js";
import type { LoadRule } from "./load-rules.js";
import { findJsonDuplicateKey } from "./find-json-duplicate-key.js";
import { findJsonError } from "./find-json-error.js";
import { measureValue, type Measure } from "./measure-value.js";
import { parseYamlDocument } from "./parse-yaml-document.js";
import type { SourceChunk, SourceFile } from "./source-map.js";
import { splitDocuments, type DocumentChunk } from "./split-documents.js";
import { yamlLoadOptions } from "./yaml-schema.js";

/** Bounds that keep hostile input from exhausting time, memory or the stack. */
export interface LoadLimits {
  /** Deepest nesting of a document, counting its leaves. */
  maxDepth: number;
  /** How many nodes aliases and `<<` merges may add to a document once expanded. */
  maxAliasNodes: number;
  /** How many documents (empty ones included) one file may hold. */
  maxDocuments: number;
}

/** What one file yields. `source` is absent when the file has no text (binary, not UTF-8). */
export interface LoadedSource {
  documents: ManifestDocument[];
  findings: Finding[];
  source: SourceFile | undefined;
}

/**
 * Parses one file's bytes into its mapping documents. Pure: no file system, no state between
 * calls. Every problem is a finding with the file and, where there is one, the line; a document
 * that fails does not stop the documents after it.
 *
 * `.json` files are parsed with `JSON.parse` as one document (JSON is YAML, but much faster to
 * read this way); everything else as a YAML stream.
 *
 * `wanted`, when given, is asked about each document's text (a JSON file's whole text) before it
 * is parsed: a document it refuses is skipped, with no document and no finding.
 */
export function loadSource(
  file: string,
  bytes: Uint8Array,
  limits: LoadLimits,
  wanted?: (text: string) => boolean,
): LoadedSource {
  const decoded = decodeSource(bytes);
  if (!decoded.ok) {
    const { rule, message, ...position } = decoded.problem;
    return {
      documents: [],
      findings: [error(rule, message, { file, ...position })],
      source: undefined,
    };
  }
  const { text } = decoded;
  if (wanted !== undefined && !wanted(text))
    return { documents: [], findings: [], source: undefined };
  return file.endsWith(".json")
    ? loadJson(file, text, limits)
    : loadYaml(file, text, limits, wanted);
}

function loadYaml(
  file: string,
  text: string,
  limits: LoadLimits,
  wanted: ((text: string) => boolean) | undefined,
): LoadedSource {
  const documents: ManifestDocument[] = [];
  const findings: Finding[] = [];
  const chunks: SourceChunk[] = [];
  const options = yamlLoadOptions(limits);
  const split = splitDocuments(text, limits.maxDocuments);
  const extra = split[limits.maxDocuments];
  if (extra !== undefined) {
    const message = `the file holds more than ${limits.maxDocuments} documents; it is refused (--max-documents raises the limit)`;
    const at = { file, document: limits.maxDocuments, line: extra.line + 1, col: 1 };
    return { documents, findings: [error("yaml-document-limit", message, at)], source: undefined };
  }
  split.forEach((chunk, index) => {
    const { start, end, line, content } = chunk;
    if (content === undefined) {
      chunks.push({ start, end, line, content, loaded: true });
      return;
    }
    const body = text.slice(start, end);
    if (wanted !== undefined && !wanted(body)) {
      // Not parsed, and not refused: its position is still known should anything ask.
      chunks.push({ start, end, line, content, loaded: true });
      return;
    }
    const parsed = parseYamlDocument(body, options, limits);
    if (!parsed.ok) {
      findings.push(
        "cause" in parsed
          ? yamlError(file, index, chunk, body, parsed.cause, limits)
          : expansionError(file, index, content, parsed.measure, limits),
      );
      chunks.push({ start, end, line, content, loaded: false });
      return;
    }
    chunks.push({ start, end, line, content, loaded: true });
    const document = toDocument(file, index, content, parsed.value, findings);
    if (document !== undefined) documents.push(document);
  });
  return { documents, findings, source: { text, chunks } };
}

function loadJson(file: string, text: string, limits: LoadLimits): LoadedSource {
  const start = firstNonSpace(text);
  if (start === text.length) return { documents: [], findings: [], source: { text, chunks: [] } };
  const content = positionOf(text, start);
  const chunk: DocumentChunk = { start: 0, end: text.length, line: 0, content };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const found = findJsonError(text);
    const position = found === undefined ? content : positionOf(text, found.offset);
    const message = `JSON syntax error: ${found?.message ?? "the file is not valid JSON"}`;
    return {
      documents: [],
      findings: [error("json-syntax", message, { file, document: 0, ...position })],
      source: { text, chunks: [{ ...chunk, loaded: false }] },
    };
  }
  // JSON.parse does not recurse, so a deep file parses; its consumers would overflow the stack.
  const measure = measureValue(value, limits);
  if (!measure.ok) {
    return {
      documents: [],
      findings: [expansionError(file, 0, content, measure, limits)],
      source: { text, chunks: [{ ...chunk, loaded: false }] },
    };
  }
  const duplicate = findJsonDuplicateKey(text);
  if (duplicate !== undefined) {
    const message = `duplicate key: the key ${JSON.stringify(duplicate.key)} appears twice in one object (JSON allows it, but only the last would count; the API server refuses it)`;
    return {
      documents: [],
      findings: [
        error("json-duplicate-key", message, {
          file,
          document: 0,
          ...positionOf(text, duplicate.offset),
        }),
      ],
      source: { text, chunks: [{ ...chunk, loaded: false }] },
    };
  }
  const findings: Finding[] = [];
  const document = toDocument(file, 0, content, value, findings);
  return {
    documents: document === undefined ? [] : [document],
    findings,
    source: { text, chunks: [{ ...chunk, loaded: true }] },
  };
}

function toDocument(
  file: string,
  index: number,
  at: { line: number; col: number },
  value: unknown,
  findings: Finding[],
): ManifestDocument | undefined {
  // An explicit `~` or `null` document is as empty as one with no content.
  if (value === null || value === undefined) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    const what = Array.isArray(value) ? "a list" : `a ${typeof value} scalar`;
    findings.push(
      error(
        "not-a-mapping",
        `the document is ${what}, not a mapping: a manifest is an object with apiVersion and kind`,
        { file, document: index, pointer: "", ...at },
      ),
    );
    return undefined;
  }
  return { file, index, line: at.line, col: at.col, value: value as Record<string, unknown> };
}

const TAB_MESSAGE = "tab characters must not be used in indentation";

function yamlError(
  file: string,
  index: number,
  chunk: DocumentChunk,
  body: string,
  cause: unknown,
  limits: LoadLimits,
): Finding {
  const at = { file, document: index };
  const start = chunk.content ?? { line: chunk.line + 1, col: 1 };
  if (!(cause instanceof YAMLException)) {
    // js-yaml bounds its own recursion; should some path still overflow, it is nesting too.
    if (cause instanceof RangeError) {
      return error("yaml-nesting-limit", nestingMessage(limits), { ...at, ...start });
    }
    const reason = cause instanceof Error ? cause.message : String(cause);
    return error("yaml-syntax", `YAML could not be parsed: ${reason}`, { ...at, ...start });
  }
  const { reason } = cause;
  // `mark` is missing on errors about the stream as a whole.
  const mark = cause.mark as typeof cause.mark | undefined;
  // js-yaml appends a line break and a NUL, so an error at the very end would point past the last
  // line, at the next document's `---`; keep it on the last line instead.
  let offset = Math.min(mark?.position ?? 0, body.length);
  if (offset === body.length && body.endsWith("\n")) offset -= 1;
  offset = tokenOffset(body, reason, offset);
  const lineStart = lineStartOf(body, offset);
  const position =
    mark === undefined
      ? start
      : { line: chunk.line + countLines(body, lineStart) + 1, col: offset - lineStart + 1 };
  if (reason.startsWith("nesting exceeded maxDepth")) {
    return error("yaml-nesting-limit", nestingMessage(limits), { ...at, ...position });
  }
  if (reason.startsWith("merge keys exceeded")) {
    return error(
      "yaml-alias-limit",
      `\`<<\` merge keys copy more than ${limits.maxAliasNodes} keys; the document is refused`,
      { ...at, ...position },
    );
  }
  if (reason === "duplicated mapping key") {
    const key = /^\s*("[^"]*"|'[^']*'|[^:#,{}[\]]+?)\s*:/.exec(body.slice(offset))?.[1];
    const named =
      key === undefined
        ? "a key"
        : `the key ${key.startsWith('"') || key.startsWith("'") ? key : `"${key}"`}`;
    return error(
      "yaml-duplicate-key",
      `duplicate key: ${named} appears twice in one mapping (YAML 1.2 allows each key once)`,
      { ...at, ...position },
    );
  }
  const lineText = body.slice(lineStart, offset + 1);
  // js-yaml names a tab in the indentation only in some places; elsewhere it reports the bad
  // indentation that the tab causes.
  if (reason === TAB_MESSAGE || (reason.includes("indentation") && /^[ ]*\t/.test(lineText))) {
    return error("yaml-tab-indent", "a tab is used as indentation; YAML allows only spaces there", {
      ...at,
      ...position,
    });
  }
  return error("yaml-syntax", `YAML syntax error: ${reason}`, { ...at, ...position });
}

/**
 * js-yaml refuses a tag or an alias once it has read past it, at `offset`: where the tag or
 * alias the error names is written, else `offset`.
 */
function tokenOffset(body: string, reason: string, offset: number): number {
  const tag = /^unknown tag !<(.*)>$/.exec(reason)?.[1];
  if (tag !== undefined) return tagOffset(body, tag, offset) ?? offset;
  const alias = /^unidentified alias "(.*)"$/.exec(reason)?.[1];
  if (alias !== undefined) return writtenBefore(body, [`*${alias}`], offset) ?? offset;
  return offset;
}

/**
 * Where the tag `tag` (resolved, as js-yaml names it) is written last before `offset`: as `!name`
 * for a local tag, `!!name` for one of YAML's, or verbatim as `!<tag>`.
 */
function tagOffset(body: string, tag: string, offset: number): number | undefined {
  const spellings = [`!<${tag}>`];
  if (tag.startsWith("!")) spellings.push(tag);
  if (tag.startsWith("tag:yaml.org,2002:")) spellings.push(`!!${tag.slice(18)}`);
  return writtenBefore(body, spellings, offset);
}

/** The last offset before `offset` where one of `spellings` is written as a whole token. */
function writtenBefore(body: string, spellings: readonly string[], offset: number) {
  let found = -1;
  for (const spelling of spellings) {
    for (
      let at = body.lastIndexOf(spelling, offset);
      at >= 0;
      at = body.lastIndexOf(spelling, at - 1)
    ) {
      // The whole token: what follows it ends it.
      const after = body[at + spelling.length];
      if (after === undefined || /[\s,[\]{}]/.test(after)) {
        found = Math.max(found, at);
        break;
      }
      if (at === 0) break;
    }
  }
  return found < 0 ? undefined : found;
}

function expansionError(
  file: string,
  index: number,
  at: { line: number; col: number },
  measure: Exclude<Measure, { ok: true }>,
  limits: LoadLimits,
): Finding {
  const location = { file, document: index, ...at };
  switch (measure.problem) {
    case "cycle":
      return error(
        "yaml-alias-limit",
        "an alias refers to a node that contains it, so the document never ends when expanded",
        location,
      );
    case "too-large":
      return error(
        "yaml-alias-limit",
        `aliases expand the document by more than ${limits.maxAliasNodes} nodes; it is refused as an alias bomb`,
        location,
      );
    case "too-deep":
      return error("yaml-nesting-limit", nestingMessage(limits), location);
  }
}

function nestingMessage(limits: LoadLimits): string {
  return `the document nests deeper than ${limits.maxDepth} levels; it is refused`;
}

function error(rule: LoadRule, message: string, location: FindingLocation): Finding {
  return { severity: "error", rule, message, location };
}

function countLines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < end; i = text.indexOf("\n", i + 1)) n += 1;
  return n;
}

function lineStartOf(text: string, offset: number): number {
  return offset === 0 ? 0 : text.lastIndexOf("\n", offset - 1) + 1;
}

function positionOf(text: string, offset: number): { line: number; col: number } {
  const lineStart = lineStartOf(text, offset);
  return { line: countLines(text, lineStart) + 1, col: offset - lineStart + 1 };
}

function firstNonSpace(text: string): number {
  const match = /\S/.exec(text);
  return match === null ? text.length : match.index;
}
