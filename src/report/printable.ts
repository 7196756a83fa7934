/**
 * Text from the repository (file names, keys and values quoted in messages) as it may be printed
 * where a terminal or a CI log interprets it: control characters (C0, DEL, C1), Unicode line and
 * paragraph separators and bidirectional controls (which reorder what a reader sees) are written
 * as escapes: `\n`, `\t`, `\x1b`, `\u202e`. With `lines`, line breaks are kept (a CRLF or CR as
 * one line break), for a message of several lines; a file name never keeps them.
 */
export function printable(text: string, options: { lines?: boolean } = {}): string {
  const source = options.lines === true ? text.replace(/\r\n?/g, "\n") : text;
  let out = "";
  for (const c of source) {
    const code = c.charCodeAt(0);
    if (c === "\n") out += options.lines === true ? c : "\\n";
    else if (c === "\t") out += "\\t";
    else if (c === "\r") out += "\\r";
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) {
      out += `\\x${code.toString(16).padStart(2, "0")}`;
    } else if (
      code === 0x2028 ||
      code === 0x2029 ||
      (code >= 0x202a && code <= 0x202e) ||
      (code >= 0x2066 && code <= 0x2069) ||
      code === 0x200e ||
      code === 0x200f ||
      code === 0x061c
    ) {
      out += `\\u${code.toString(16).padStart(4, "0")}`;
    } else out += c;
  }
  return out;
}
