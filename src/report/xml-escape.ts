/**
 * Escapes text for XML 1.0 character data or a double- or single-quoted attribute value.
 * Characters XML 1.0 cannot carry at all, not even as references (most C0 controls, U+FFFE,
 * U+FFFF, unpaired surrogates), are written out as a visible `\uXXXX` instead.
 */
export function xmlEscape(text: string, context: "text" | "attribute" = "text"): string {
  let out = "";
  for (const c of text) {
    const code = c.codePointAt(0) ?? 0;
    const named = entities[c];
    if (named !== undefined && (context === "attribute" || !attributeOnly.has(c))) {
      out += named;
    } else if (allowed(code)) {
      out += c;
    } else {
      out += `\\u${code.toString(16).padStart(4, "0")}`;
    }
  }
  return out;
}

const entities: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
  // Parsers normalise raw line breaks and tabs in attributes to spaces, and CR in text to LF.
  "\n": "&#10;",
  "\r": "&#13;",
  "\t": "&#9;",
};
const attributeOnly = new Set(['"', "'", "\n", "\t"]);

function allowed(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    code >= 0x10000
  );
}
