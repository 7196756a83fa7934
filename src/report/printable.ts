/**
 * Text safe to print on a terminal: reports quote repository content, and raw control characters
 * in it could drive the terminal. They are written as `\xNN`; line breaks and tabs stay.
 */
export function printable(text: string): string {
  let out = "";
  for (const c of text.replace(/\r\n?/g, "\n")) {
    const code = c.charCodeAt(0);
    const control = (code < 0x20 && c !== "\n" && c !== "\t") || (code >= 0x7f && code <= 0x9f);
    out += control ? `\\x${code.toString(16).padStart(2, "0")}` : c;
  }
  return out;
}
