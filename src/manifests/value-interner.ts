import { detachedString } from "../core/detached-string.js";

/**
 * Strings at least this long are shared, each kept as a copy of its own. V8 makes a substring this
 * long a slice that keeps the whole text it was cut from alive: so no file's text outlives its
 * parse.
 */
const minSharedString = 13;

/**
 * Shares equal parts of parsed documents: every mapping, list and long string equal to one seen
 * before is replaced by that one, so that documents which differ in a few places (the same CRD in
 * several versions, in each cluster's folder) hold their common parts once. Values must not be
 * changed afterwards: they may be shared. Each mapping and list is keyed by its entries' ids,
 * not by its text, so interning a document costs time in proportion to its size.
 */
export class ValueInterner {
  readonly #ids = new WeakMap<object, number>();
  readonly #byKey = new Map<string, object>();
  readonly #strings = new Map<string, string>();
  readonly #stringIds = new Map<string, number>();

  /** `value` with its parts replaced by equal ones seen before (itself where there are none). */
  intern<T>(value: T): T {
    return this.#intern(value) as T;
  }

  #intern(value: unknown): unknown {
    if (typeof value === "string") return this.#string(value);
    if (typeof value !== "object" || value === null) return value;
    if (this.#ids.has(value)) return value;
    let key: string;
    let node: object;
    if (Array.isArray(value)) {
      const items = value.map((item: unknown) => this.#intern(item));
      key = `[${items.map((item) => this.#token(item)).join(",")}`;
      node = items;
    } else {
      const entries = Object.entries(value).map(
        ([name, child]) => [name, child, this.#intern(child)] as const,
      );
      key = `{${entries.map(([name, , child]) => `${this.#token(name)}:${this.#token(child)}`).join(",")}`;
      node = value;
      // The entries are interned in place: the object stays the one the parser made.
      for (const [name, original, child] of entries) {
        // Equal strings compare equal whatever their storage: a shared one is always put back.
        if (child === original && typeof child !== "string") continue;
        Object.defineProperty(node, name, {
          value: child,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      }
    }
    const known = this.#byKey.get(key);
    if (known !== undefined) return known;
    this.#byKey.set(key, node);
    this.#ids.set(node, this.#byKey.size);
    return node;
  }

  #string(text: string): string {
    if (text.length < minSharedString) return text;
    const known = this.#strings.get(text);
    if (known !== undefined) return known;
    // Kept as a copy of its own, not as a slice of the text of the file it was read from.
    const kept = detachedString(text);
    this.#strings.set(kept, kept);
    return kept;
  }

  /** A short token standing for a value already interned. */
  #token(value: unknown): string {
    if (typeof value === "object" && value !== null) return `#${this.#ids.get(value)}`;
    if (typeof value === "string") {
      if (value.length < minSharedString) return JSON.stringify(value);
      let id = this.#stringIds.get(value);
      if (id === undefined) {
        id = this.#stringIds.size;
        this.#stringIds.set(value, id);
      }
      return `$${id}`;
    }
    return typeof value === "number"
      ? `n${value}`
      : value === true
        ? "t"
        : value === false
          ? "f"
          : "u";
  }
}
