/**
 * The gjson path syntax kube-bind's claim references use (spec §3.14): fields separated by `.`,
 * `\.` for a literal dot, `#` for every element of a list, a number for one element. Wildcards,
 * queries and modifiers are not part of it.
 */

/** Characters of gjson syntax beyond plain fields and `#` (wildcards, queries, modifiers). */
const unsupported = /[*?@|!{}[\]()=<>%,]/;

/** The fields of a path, or `undefined` when it uses syntax beyond the subset above. */
export function splitGjsonPath(path: string): string[] | undefined {
  const segments: string[] = [];
  let current = "";
  for (let i = 0; i < path.length; i++) {
    const char = path[i]!;
    if (char === "\\" && i + 1 < path.length) {
      current += path[++i];
    } else if (char === ".") {
      segments.push(current);
      current = "";
    } else if (unsupported.test(char) || (char === "#" && current !== "") || current === "#") {
      return undefined;
    } else {
      current += char;
    }
  }
  segments.push(current);
  return segments;
}

/**
 * The strings a path selects in a value, trimmed, as kube-bind reads a reference's name or
 * namespace: a list yields each element, a scalar itself (numbers and booleans as text). Returns
 * `undefined` when the path does not resolve (a missing field, a non-list under `#`, syntax
 * beyond the subset), which callers must not confuse with "resolves to nothing".
 */
export function gjsonStrings(value: unknown, path: string): string[] | undefined {
  const segments = splitGjsonPath(path);
  if (segments === undefined || segments.some((s) => s === "")) return undefined;
  let current: unknown[] = [value];
  let resolved = false;
  for (const segment of segments) {
    const next: unknown[] = [];
    for (const node of current) {
      if (segment === "#") {
        if (Array.isArray(node)) next.push(...(node as unknown[]));
      } else if (Array.isArray(node)) {
        if (/^\d+$/.test(segment) && Number(segment) < node.length)
          next.push(node[Number(segment)]);
      } else if (typeof node === "object" && node !== null && segment in node) {
        next.push((node as Record<string, unknown>)[segment]);
      }
    }
    resolved = next.length > 0 || (segment === "#" && current.some(Array.isArray));
    if (!resolved) return undefined;
    current = next;
  }
  return current.flatMap((leaf) => {
    const values = Array.isArray(leaf) ? (leaf as unknown[]) : [leaf];
    return values.flatMap((v) =>
      typeof v === "string" || typeof v === "number" || typeof v === "boolean"
        ? [String(v).trim()]
        : [],
    );
  });
}
