/** Where one YAML document lies in a file's text. */
export interface DocumentChunk {
  /** Offsets into the text, `[start, end)`; a chunk always starts at the beginning of a line. */
  start: number;
  end: number;
  /** 0-based line of `start`. */
  line: number;
  /** 1-based line and column of the document's first node; absent for an empty document. */
  content: { line: number; col: number } | undefined;
}

const DASH = 0x2d;
const DOT = 0x2e;
const HASH = 0x23;
const PERCENT = 0x25;
const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;

/**
 * Cuts a YAML stream into its documents without parsing them, so each can be parsed on its own:
 * one broken document does not hide the others, and every document knows its first line.
 *
 * This is exact because YAML 1.2 forbids `---` and `...` followed by a space or a line end at the
 * start of a line anywhere inside content, block scalars and quoted strings included (the spec's
 * `c-forbidden`). A document begins at `---` or at the first content after the stream start or after `...`;
 * comments, blank lines and directives alone make no document. An explicit `---` with nothing
 * after it is an empty document: it takes an index, so indexes match the positions in the file.
 *
 * Stops once it has found more than `maxDocuments`, so a file of nothing but separators costs
 * no more than that many documents.
 */
export function splitDocuments(text: string, maxDocuments = Infinity): DocumentChunk[] {
  const chunks: DocumentChunk[] = [];
  let current: DocumentChunk = { start: 0, end: 0, line: 0, content: undefined };
  // Whether the current chunk is a document yet (it has seen `---` or content).
  let open = false;
  let line = 0;
  for (let lineStart = 0; lineStart < text.length; line += 1) {
    const newline = text.indexOf("\n", lineStart);
    const lineEnd = newline < 0 ? text.length : newline;
    const next = newline < 0 ? text.length : newline + 1;
    const first = text.charCodeAt(lineStart);
    if (first === DASH && isMarker(text, lineStart, DASH)) {
      if (open) {
        current.end = lineStart;
        chunks.push(current);
        current = { start: lineStart, end: 0, line, content: undefined };
        if (chunks.length > maxDocuments) return chunks;
      }
      open = true;
      current.content ??= contentAt(text, lineStart + 3, lineEnd, lineStart, line);
    } else if (first === DOT && isMarker(text, lineStart, DOT)) {
      if (open) {
        current.end = next;
        chunks.push(current);
        if (chunks.length > maxDocuments) return chunks;
      }
      current = { start: next, end: 0, line: line + 1, content: undefined };
      open = false;
    } else if (current.content === undefined && !(first === PERCENT && !open)) {
      current.content = contentAt(text, lineStart, lineEnd, lineStart, line);
      if (current.content !== undefined) open = true;
    }
    lineStart = next;
  }
  if (open) {
    current.end = text.length;
    chunks.push(current);
  }
  return chunks;
}

function isMarker(text: string, at: number, char: number): boolean {
  if (text.charCodeAt(at + 1) !== char || text.charCodeAt(at + 2) !== char) return false;
  const after = text.charCodeAt(at + 3);
  return Number.isNaN(after) || after === SPACE || after === TAB || after === CR || after === 0x0a;
}

/** The first character in `[from, to)` that is neither white space nor the start of a comment. */
function contentAt(
  text: string,
  from: number,
  to: number,
  lineStart: number,
  line: number,
): { line: number; col: number } | undefined {
  for (let i = from; i < to; i += 1) {
    const c = text.charCodeAt(i);
    if (c === SPACE || c === TAB || c === CR) continue;
    if (c === HASH) return undefined;
    return { line: line + 1, col: i - lineStart + 1 };
  }
  return undefined;
}
