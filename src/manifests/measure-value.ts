/** What expanding a parsed document into a plain tree would cost. */
export type Measure =
  | { ok: true; shared: boolean }
  | { ok: false; problem: "cycle" }
  | { ok: false; problem: "too-deep"; depth: number }
  | { ok: false; problem: "too-large"; extraNodes: number };

export interface MeasureLimits {
  /** Deepest nesting allowed, counting the leaf; the same measure as js-yaml's `maxDepth`. */
  maxDepth: number;
  /** How many nodes aliases may add to a document once expanded. */
  maxAliasNodes: number;
}

interface Seen {
  size: number;
  height: number;
}

const LEAF: Seen = { size: 1, height: 1 };

/**
 * Measures a document as a consumer would see it after expanding every alias. js-yaml keeps an
 * alias as a reference to the anchored value, so a "billion laughs" document parses quickly into
 * a small graph, and an anchor inside its own value makes a cycle; either would hang or exhaust
 * the stack of the first consumer that walks it (schema validation, diffing, serialising). Shared
 * values are measured once, so this is linear in the size of the graph, not of its expansion, and
 * it stops as soon as a limit is passed.
 */
export function measureValue(value: unknown, limits: MeasureLimits): Measure {
  const seen = new Map<object, Seen>();
  const onPath = new Set<object>();
  let distinct = 0;
  let shared = false;
  let failure: Measure | undefined;

  const visit = (node: unknown, depth: number): Seen => {
    if (typeof node !== "object" || node === null) {
      if (depth > limits.maxDepth) failure = { ok: false, problem: "too-deep", depth };
      // A scalar is a node of the graph too: only a shared parent makes it count twice.
      distinct += 1;
      return LEAF;
    }
    const known = seen.get(node);
    if (known !== undefined) {
      shared = true;
      if (depth + known.height - 1 > limits.maxDepth) {
        failure = { ok: false, problem: "too-deep", depth: depth + known.height - 1 };
      }
      return known;
    }
    if (onPath.has(node)) {
      failure = { ok: false, problem: "cycle" };
      return LEAF;
    }
    if (depth > limits.maxDepth) {
      failure = { ok: false, problem: "too-deep", depth };
      return LEAF;
    }
    distinct += 1;
    onPath.add(node);
    let size = 1;
    let height = 1;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      const c = visit(child, depth + 1);
      if (failure !== undefined) break;
      size += c.size;
      height = Math.max(height, c.height + 1);
      if (size - distinct > limits.maxAliasNodes) {
        failure = { ok: false, problem: "too-large", extraNodes: size - distinct };
        break;
      }
    }
    onPath.delete(node);
    const result = { size, height };
    seen.set(node, result);
    return result;
  };

  visit(value, 1);
  return failure ?? { ok: true, shared };
}

/**
 * A copy of a parsed value in which no object appears twice, so that a consumer that changes one
 * place (defaulting, pruning) does not change every place an alias pointed at. Only called on
 * values `measureValue` accepted, so it is bounded.
 */
export function cloneTree(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(cloneTree);
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === "__proto__") {
      // A real key in YAML; assigning it would set the prototype instead.
      Object.defineProperty(copy, key, {
        value: cloneTree(child),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      copy[key] = cloneTree(child);
    }
  }
  return copy;
}
