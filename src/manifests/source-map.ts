import { createRequire } from "node:module";
import type * as Yaml from "yaml";
import type { Alias, Document, LineCounter, Node, Pair, Scalar, YAMLMap, YAMLSeq } from "yaml";
import { joinPointer, type Finding } from "../core/finding.js";
import type { DocumentChunk } from "./split-documents.js";

/** A document's place in its file, and whether it parsed within the limits. */
export interface SourceChunk extends DocumentChunk {
  /**
   * False when the document was refused (syntax, nesting or alias limits): such text is never
   * handed to a second parser, and positions inside it fall back to the document's start.
   */
  loaded: boolean;
}

/** A loaded file's text and its documents, enough to find positions later. Plain data. */
export interface SourceFile {
  /** The decoded text, without a BOM. */
  text: string;
  /** One per document index. */
  chunks: readonly SourceChunk[];
}

/** 1-based line and column; columns count UTF-16 code units, as editors and GitHub do. */
export interface Position {
  line: number;
  col: number;
}

/** A plain (unquoted) scalar as written, for checks that care how YAML 1.1 would read it. */
export interface PlainScalar {
  /** Pointer of the value, or of the entry whose key this is. */
  pointer: string;
  /** True when the scalar is a mapping key. */
  key: boolean;
  /** The text as written, e.g. `yes`, `0755`, `on`. */
  source: string;
  line: number;
  col: number;
}

/**
 * The `yaml` package is loaded on first use: it costs more to import than a clean run of
 * `validate` spends on positions, and the loader's happy path never needs it.
 */
let yamlModule: typeof Yaml | undefined;
function yaml(): typeof Yaml {
  yamlModule ??= createRequire(import.meta.url)("yaml") as typeof Yaml;
  return yamlModule;
}

const isAlias = (node: unknown): node is Alias => yaml().isAlias(node);
const isMap = (node: unknown): node is YAMLMap => yaml().isMap(node);
const isNode = (node: unknown): node is Node => yaml().isNode(node);
const isPair = (node: unknown): node is Pair => yaml().isPair(node);
const isScalar = (node: unknown): node is Scalar => yaml().isScalar(node);
const isSeq = (node: unknown): node is YAMLSeq => yaml().isSeq(node);

interface Parsed {
  doc: Document.Parsed;
  lines: LineCounter;
  chunk: SourceChunk;
}

/** How many documents parsed for positions a SourceMap keeps: each costs ten times its text. */
const maxParsed = 2;

/**
 * Positions of things in loaded files, found only when asked. The happy path records where each
 * document starts; a finding that needs the line of a field parses that one document again with
 * the `yaml` package (which keeps ranges) and walks to it. The last few parses are kept
 * ({@link maxParsed}), so asking document by document parses each once and memory stays
 * bounded however many large documents have findings.
 *
 * A SourceMap holds plain `SourceFile` data, so maps built in workers can be sent back with
 * `entries()` and merged with `new SourceMap([...a.entries(), ...b.entries()])`.
 */
export class SourceMap {
  readonly #files: Map<string, SourceFile>;
  /** By `file#index`, least recently used first. */
  readonly #parsed = new Map<string, Parsed>();

  constructor(files: Iterable<readonly [string, SourceFile]> = []) {
    this.#files = new Map(files);
  }

  /** Records (or replaces) a file. */
  set(file: string, source: SourceFile): void {
    this.#files.set(file, source);
    for (const key of this.#parsed.keys()) if (key.startsWith(`${file}#`)) this.#parsed.delete(key);
  }

  /** How many documents parsed for positions are kept now (at most a few). */
  get parsedDocuments(): number {
    return this.#parsed.size;
  }

  /** A file's recorded text and documents. */
  get(file: string): SourceFile | undefined {
    return this.#files.get(file);
  }

  /** Every file as plain data, e.g. to send a map built in a worker to the main thread. */
  entries(): IterableIterator<[string, SourceFile]> {
    return this.#files.entries();
  }

  /**
   * The position of the node a JSON pointer names in a document: the key of a mapping entry,
   * the item of a list, or the document itself for `""`. Follows aliases and `<<` merges. When the
   * pointer names something the text does not hold (a default, a missing field), the nearest
   * existing ancestor is returned. `undefined` only for an unknown file or document.
   */
  locate(file: string, documentIndex: number, pointer: string): Position | undefined {
    const source = this.#files.get(file);
    const chunk = source?.chunks[documentIndex];
    if (chunk === undefined) return undefined;
    const start = chunk.content ?? { line: chunk.line + 1, col: 1 };
    if (pointer === "") return start;
    const parsed = this.#parse(file, documentIndex);
    if (parsed === undefined) return start;
    const node = walk(parsed.doc, parsed.doc.contents, parseSegments(pointer));
    return (node && positionIn(parsed, node)) ?? start;
  }

  /** The finding with a line and column, when it names a document and has none yet. */
  locateFinding(finding: Finding): Finding {
    const { location } = finding;
    if (location.line !== undefined || location.document === undefined) return finding;
    const position = this.locate(location.file, location.document, location.pointer ?? "");
    return position === undefined
      ? finding
      : { ...finding, location: { ...location, ...position } };
  }

  /**
   * Every plain scalar of a document, keys included, in document order (aliases not followed).
   *
   * Parsing for positions costs about ten times what loading did, so a check that looks for
   * particular scalars should pass `textMatches`: a pattern that matches somewhere in the
   * document's text whenever a scalar of interest is there (e.g. `/\b(?:yes|no|on|off)\b|\b0\d/i`).
   * A document whose text it does not match yields `[]` without being parsed.
   */
  plainScalars(
    file: string,
    documentIndex: number,
    options: { textMatches?: RegExp } = {},
  ): PlainScalar[] {
    const { textMatches } = options;
    if (textMatches !== undefined) {
      const source = this.#files.get(file);
      const chunk = source?.chunks[documentIndex];
      if (source === undefined || chunk === undefined) return [];
      textMatches.lastIndex = 0;
      if (!textMatches.test(source.text.slice(chunk.start, chunk.end))) return [];
    }
    const parsed = this.#parse(file, documentIndex);
    if (parsed === undefined) return [];
    const found: PlainScalar[] = [];
    const visit = (node: unknown, pointer: string): void => {
      if (isMap(node)) {
        for (const pair of node.items) {
          const key = keyOf(pair);
          const here = key === undefined ? pointer : pointer + joinPointer(key);
          if (isPlain(pair.key)) record(pair.key, here, true);
          visit(pair.value, here);
        }
      } else if (isSeq(node)) {
        node.items.forEach((item, i) => visit(item, pointer + joinPointer(i)));
      } else if (isPlain(node)) {
        record(node, pointer, false);
      }
    };
    const record = (node: Scalar, pointer: string, key: boolean): void => {
      const position = positionIn(parsed, node);
      if (position === undefined) return;
      const source = node.source ?? String(node.value);
      found.push({ pointer, key, source, ...position });
    };
    visit(parsed.doc.contents, "");
    return found;
  }

  #parse(file: string, index: number): Parsed | undefined {
    const source = this.#files.get(file);
    const chunk = source?.chunks[index];
    if (
      source === undefined ||
      chunk === undefined ||
      !chunk.loaded ||
      chunk.content === undefined
    ) {
      return undefined;
    }
    const key = `${file}#${index}`;
    let parsed = this.#parsed.get(key);
    if (parsed !== undefined) {
      // Most recently used last.
      this.#parsed.delete(key);
      this.#parsed.set(key, parsed);
    } else {
      const { LineCounter, parseDocument } = yaml();
      const lines = new LineCounter();
      const doc = parseDocument(source.text.slice(chunk.start, chunk.end), {
        lineCounter: lines,
        version: "1.2",
        merge: true,
        uniqueKeys: false,
        prettyErrors: false,
      });
      parsed = { doc, lines, chunk };
      this.#parsed.set(key, parsed);
      if (this.#parsed.size > maxParsed) this.#parsed.delete(this.#parsed.keys().next().value!);
    }
    return parsed;
  }
}

function parseSegments(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** The deepest node on the pointer's path that exists. */
function walk(doc: Document.Parsed, root: unknown, segments: string[]): Node | undefined {
  let node = resolve(doc, root);
  let found = isNode(node) ? node : undefined;
  for (const segment of segments) {
    let next: unknown;
    if (isMap(node)) {
      const pair = findPair(doc, node.items, segment, 0);
      if (pair === undefined) break;
      next = pair.value;
      // A field's place is its key: the value of a nested mapping starts on the next line.
      const at: unknown = pair.key ?? pair.value;
      if (isNode(at)) found = at;
    } else if (isSeq(node) && /^(0|[1-9][0-9]*)$/.test(segment)) {
      next = node.items[Number(segment)];
      if (!isNode(next)) break;
      found = next;
    } else {
      break;
    }
    node = resolve(doc, next);
  }
  return found;
}

/** A mapping entry by key, looking into `<<` merges when the mapping has no such key itself. */
function findPair(
  doc: Document.Parsed,
  items: Pair[],
  key: string,
  depth: number,
): Pair | undefined {
  const own = items.find((p) => keyOf(p) === key);
  if (own !== undefined || depth > 8) return own;
  for (const pair of items) {
    if (!isScalar(pair.key) || pair.key.source !== "<<") continue;
    const value = resolve(doc, pair.value);
    const sources = isSeq(value) ? value.items.map((i) => resolve(doc, i)) : [value];
    for (const merged of sources) {
      if (!isMap(merged)) continue;
      const hit = findPair(doc, merged.items, key, depth + 1);
      if (hit !== undefined) return hit;
    }
  }
  return undefined;
}

function resolve(doc: Document.Parsed, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

/** A mapping key as js-yaml turns it into a property name. */
function keyOf(pair: unknown): string | undefined {
  if (!isPair(pair) || !isScalar(pair.key)) return undefined;
  const { value } = pair.key;
  return typeof value === "symbol" ? undefined : String(value);
}

function isPlain(node: unknown): node is Scalar {
  return isScalar(node) && node.type === "PLAIN";
}

function positionIn(parsed: Parsed, node: Node): Position | undefined {
  const offset = node.range?.[0];
  if (offset === undefined) return undefined;
  const { line, col } = parsed.lines.linePos(offset);
  return { line: parsed.chunk.line + line, col };
}
