/** Why a file's bytes cannot be read as text: the rule and a message, plus the line when known. */
export interface DecodeProblem {
  rule: "binary-file" | "not-utf8";
  message: string;
  line?: number;
  col?: number;
}

/** The text of a file, or why it has none. */
export type DecodedSource = { ok: true; text: string } | { ok: false; problem: DecodeProblem };

/**
 * Turns a file's bytes into text the way `validate` requires: UTF-8 only, a leading BOM dropped,
 * no NUL bytes. A decoder is created per call so the function holds no state between files.
 */
export function decodeSource(bytes: Uint8Array): DecodedSource {
  // UTF-16 and UTF-32 text is full of NULs; say what it is rather than calling it binary.
  if (hasUtf16Bom(bytes)) {
    return fail(
      "not-utf8",
      "the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8",
    );
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const { line, col } = positionOfByte(bytes, nul);
    return fail(
      "binary-file",
      "the file holds NUL bytes: it is binary, not YAML or JSON",
      line,
      col,
    );
  }
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const { line, col } = positionOfByte(bytes, bad);
    const byte = (bytes[bad] ?? 0).toString(16).toUpperCase().padStart(2, "0");
    return fail(
      "not-utf8",
      `the file is not valid UTF-8 (byte 0x${byte} at offset ${bad}); save it as UTF-8`,
      line,
      col,
    );
  }
}

function fail(
  rule: DecodeProblem["rule"],
  message: string,
  line?: number,
  col?: number,
): DecodedSource {
  return {
    ok: false,
    problem: {
      rule,
      message,
      ...(line === undefined ? {} : { line }),
      ...(col === undefined ? {} : { col }),
    },
  };
}

function hasUtf16Bom(bytes: Uint8Array): boolean {
  const [a, b] = bytes;
  return (a === 0xff && b === 0xfe) || (a === 0xfe && b === 0xff);
}

/** 1-based line and column (in characters of the valid prefix) of a byte offset. */
function positionOfByte(bytes: Uint8Array, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0 && i < offset; i = bytes.indexOf(0x0a, i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  const prefix = new TextDecoder("utf-8").decode(bytes.subarray(lineStart, offset));
  // Only the first line can carry the BOM the decoder drops, so columns stay in characters.
  return { line, col: prefix.length + 1 };
}

/** Offset of the first byte that starts an ill-formed UTF-8 sequence (RFC 3629, table 3-7). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    const need =
      b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    // The second byte's range is narrower after E0, ED, F0 and F4 (overlongs, surrogates, > U+10FFFF).
    const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= need; k += 1) {
      const c = bytes[i + k];
      const min = k === 1 ? lo : 0x80;
      const max = k === 1 ? hi : 0xbf;
      if (c === undefined || c < min || c > max) return i;
    }
    i += need + 1;
  }
  return bytes.length;
}
