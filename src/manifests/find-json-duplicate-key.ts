/** A key that appears a second time in one JSON object, where it does. */
export interface JsonDuplicateKey {
  /** Offset of the second occurrence's opening quote. */
  offset: number;
  key: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

/**
 * The first key that an object of a valid JSON text holds twice. `JSON.parse` keeps the last
 * value silently, where YAML refuses the document; this finds what it hid. Only called on text
 * `JSON.parse` accepted, so it need not check the grammar: in an object, the string after `{` or
 * `,` is a key. Keys are compared as parsed (`"a"` and `"\u0061"` are one key). Keeps its own
 * stack, so deep nesting cannot overflow it.
 */
export function findJsonDuplicateKey(text: string): JsonDuplicateKey | undefined {
  /** Per open container: the keys seen, or null for an array. */
  const open: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let at = 0; at < text.length; at++) {
    const c = text.charCodeAt(at);
    if (c === QUOTE) {
      const end = stringEnd(text, at);
      if (expectKey) {
        const raw = text.slice(at + 1, end);
        const key = raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw;
        const keys = open.at(-1);
        if (keys?.has(key)) return { offset: at, key };
        keys?.add(key);
        expectKey = false;
      }
      at = end;
    } else if (c === OPEN_OBJECT) {
      open.push(new Set());
      expectKey = true;
    } else if (c === OPEN_ARRAY) {
      open.push(null);
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      open.pop();
      expectKey = false;
    } else if (c === COMMA) {
      expectKey = open.at(-1) instanceof Set;
    }
  }
  return undefined;
}

/** The offset of the quote that closes the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  let at = start + 1;
  for (;;) {
    const quote = text.indexOf('"', at);
    if (quote < 0) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return quote;
    at = quote + 1;
  }
}
