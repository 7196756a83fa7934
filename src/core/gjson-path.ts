/**
 * The gjson path syntax kube-bind's claim references use (spec §3.14): fields separated by `.`,
 * `\.` for a literal dot, `#` for every element of a list (a final `#` for its length), a number
 * for one element. Wildcards, queries and modifiers are not part of it.
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
 * namespace from gjson's result: a list yields each element, a scalar itself (numbers and booleans
 * as text). As in gjson, `#` followed by more path collects what that path finds in each element
 * into one list (lists found there are not names: gjson gives them as JSON text), and a final `#`
 * is the length of the list. Returns `undefined` when the path does not resolve (a missing field,
 * a non-list under `#`, syntax beyond the subset), which callers must not confuse with "resolves to
 * nothing" (an empty list, or `#` over a list none of whose elements has the field).
 */
export function gjsonStrings(value: unknown, path: string): string[] | undefined {
  const segments = splitGjsonPath(path);
  if (segments === undefined || segments.some((s) => s === "")) return undefined;
  const found = gjsonGet(value, segments);
  if (found === undefined) return undefined;
  const values = Array.isArray(found.value) ? (found.value as unknown[]) : [found.value];
  return values.flatMap((v) =>
    typeof v === "string" || typeof v === "number" || typeof v === "boolean"
      ? [String(v).trim()]
      : [],
  );
}

/** What gjson finds at the path, or `undefined` when nothing is there. */
function gjsonGet(node: unknown, segments: readonly string[]): { value: unknown } | undefined {
  const [segment, ...rest] = segments;
  if (segment === undefined) return { value: node };
  if (segment === "#") {
    if (!Array.isArray(node)) return undefined;
    if (rest.length === 0) return { value: node.length };
    return {
      value: (node as unknown[]).flatMap((element) => {
        const found = gjsonGet(element, rest);
        return found === undefined ? [] : [found.value];
      }),
    };
  }
  if (Array.isArray(node)) {
    return /^\d+$/.test(segment) && Number(segment) < node.length
      ? gjsonGet(node[Number(segment)], rest)
      : undefined;
  }
  return typeof node === "object" && node !== null && Object.hasOwn(node, segment)
    ? gjsonGet((node as Record<string, unknown>)[segment], rest)
    : undefined;
}
