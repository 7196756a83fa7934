/**
 * A deliberately strict reader for the small XML subset the JUnit report uses (a declaration,
 * elements, attributes, character data, the five predefined entities and numeric references).
 * It throws on anything that is not well-formed, so tests can check escaping by reading back.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export function parseXml(source: string): XmlElement {
  for (const c of source) {
    const code = c.codePointAt(0)!;
    const legal =
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      code >= 0x10000;
    if (!legal) throw new Error(`character U+${code.toString(16)} is not allowed in XML 1.0`);
  }
  const declaration = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/.exec(source);
  if (declaration === null) throw new Error("missing XML declaration");
  let pos = declaration[0].length;

  const element = (): XmlElement => {
    const open = /^<([A-Za-z][\w.-]*)/.exec(source.slice(pos));
    if (open === null) throw new Error(`expected an element at ${pos}`);
    pos += open[0].length;
    const node: XmlElement = { name: open[1]!, attributes: {}, children: [], text: "" };
    for (;;) {
      const attr = /^\s+([A-Za-z][\w.-]*)="([^"]*)"/.exec(source.slice(pos));
      if (attr === null) break;
      if (attr[1]! in node.attributes) throw new Error(`duplicate attribute ${attr[1]}`);
      node.attributes[attr[1]!] = decode(attr[2]!, true);
      pos += attr[0].length;
    }
    const end = /^\s*(\/?)>/.exec(source.slice(pos));
    if (end === null) throw new Error(`malformed start tag <${node.name}> at ${pos}`);
    pos += end[0].length;
    if (end[1] === "/") return node;
    for (;;) {
      const close = `</${node.name}>`;
      if (source.startsWith(close, pos)) {
        pos += close.length;
        return node;
      }
      if (source.startsWith("</", pos)) throw new Error(`mismatched end tag at ${pos}`);
      if (source[pos] === "<") {
        node.children.push(element());
        continue;
      }
      const next = source.indexOf("<", pos);
      if (next < 0) throw new Error(`unclosed <${node.name}>`);
      node.text += decode(source.slice(pos, next), false);
      pos = next;
    }
  };
  const root = element();
  if (source.slice(pos).trim() !== "") throw new Error("content after the root element");
  return root;
}

function decode(raw: string, attribute: boolean): string {
  if (raw.includes("<") && attribute) throw new Error("raw < in an attribute value");
  const normalised = attribute ? raw.replace(/[\t\n\r]/g, " ") : raw.replace(/\r\n?/g, "\n");
  return normalised.replace(/&([^;]*);|&/g, (match, ref: string | undefined) => {
    if (ref === undefined) throw new Error(`bare & in ${JSON.stringify(raw)}`);
    const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
    if (ref in named) return named[ref]!;
    const numeric = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(ref);
    if (numeric === null) throw new Error(`unknown entity ${match}`);
    const value = numeric[1]!;
    return String.fromCodePoint(
      value.startsWith("x") ? parseInt(value.slice(1), 16) : parseInt(value, 10),
    );
  });
}

/** Every descendant element named `name`, depth first. */
export function findAll(node: XmlElement, name: string): XmlElement[] {
  return node.children.flatMap((child) => [
    ...(child.name === name ? [child] : []),
    ...findAll(child, name),
  ]);
}
