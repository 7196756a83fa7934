/** Where and why a JSON text is invalid. */
export interface JsonError {
  offset: number;
  message: string;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;
const LITERALS = ["true", "false", "null"];

/** What may come next: a value, a key, or what follows a member or an element. */
type Expect = "value" | "first-value" | "key" | "first-key" | "after";

/**
 * Finds the first error in a text `JSON.parse` refused, because V8's messages do not always say
 * where it is. Only called after a failed parse, so it favours plainness over speed; it keeps its
 * own stack, so deep nesting cannot overflow it. Returns undefined if it finds no error.
 */
export function findJsonError(text: string): JsonError | undefined {
  const scanner = new Scanner(text);
  for (;;) {
    scanner.skipSpace();
    const error = scanner.atEnd() ? scanner.end() : scanner.step();
    if (error !== null) return error;
  }
}

class Scanner {
  readonly #text: string;
  #at = 0;
  #expect: Expect = "value";
  readonly #open: ("{" | "[")[] = [];

  constructor(text: string) {
    this.#text = text;
  }

  skipSpace(): void {
    while (" \t\n\r".includes(this.#text[this.#at] ?? "x")) this.#at += 1;
  }

  atEnd(): boolean {
    return this.#at >= this.#text.length;
  }

  /** At the end of the text: undefined when the value is complete, else an error. */
  end(): JsonError | undefined {
    return this.#open.length === 0 && this.#expect === "after"
      ? undefined
      : this.#fail("unexpected end of input");
  }

  /** Consumes one token; null to go on. */
  step(): JsonError | null {
    const c = this.#text[this.#at]!;
    const closes = this.#open.at(-1) === "{" ? "}" : "]";
    switch (this.#expect) {
      case "after":
        return this.#after(c, closes);
      case "first-key":
      case "key":
        if (c === "}" && this.#expect === "first-key") return this.#close();
        return this.#key(c);
      case "first-value":
        if (c === "]") return this.#close();
        return this.#value(c);
      case "value":
        return this.#value(c);
    }
  }

  #after(c: string, closes: string): JsonError | null {
    if (this.#open.length === 0)
      return this.#fail(`unexpected ${show(c)} after the end of the value`);
    if (c === closes) return this.#close();
    if (c !== ",") return this.#fail(`expected ',' or '${closes}' but found ${show(c)}`);
    this.#at += 1;
    this.#expect = closes === "}" ? "key" : "value";
    return null;
  }

  #key(c: string): JsonError | null {
    if (c !== '"')
      return this.#fail(`expected a property name in double quotes but found ${show(c)}`);
    const error = this.#string();
    if (error !== null) return error;
    this.skipSpace();
    if (this.#text[this.#at] !== ":") return this.#fail("expected ':' after a property name");
    this.#at += 1;
    this.#expect = "value";
    return null;
  }

  #value(c: string): JsonError | null {
    if (c === "{" || c === "[") {
      this.#open.push(c);
      this.#at += 1;
      this.#expect = c === "{" ? "first-key" : "first-value";
      return null;
    }
    this.#expect = "after";
    if (c === '"') return this.#string();
    if (c === "-" || (c >= "0" && c <= "9")) return this.#sticky(NUMBER, "invalid number");
    const literal = LITERALS.find((l) => this.#text.startsWith(l, this.#at));
    if (literal === undefined) return this.#fail(`unexpected ${show(c)} where a value belongs`);
    this.#at += literal.length;
    return null;
  }

  #close(): null {
    this.#open.pop();
    this.#at += 1;
    this.#expect = "after";
    return null;
  }

  #string(): JsonError | null {
    this.#at += 1;
    for (;;) {
      const c = this.#text.charCodeAt(this.#at);
      if (Number.isNaN(c)) return this.#fail("unterminated string");
      if (c === 0x22) break;
      if (c < 0x20) return this.#fail("a control character in a string must be escaped");
      if (c === 0x5c) {
        const error = this.#sticky(ESCAPE, "invalid escape in a string");
        if (error !== null) return error;
      } else {
        this.#at += 1;
      }
    }
    this.#at += 1;
    return null;
  }

  #sticky(pattern: RegExp, message: string): JsonError | null {
    pattern.lastIndex = this.#at;
    if (!pattern.test(this.#text)) return this.#fail(message);
    this.#at = pattern.lastIndex;
    return null;
  }

  #fail(message: string): JsonError {
    return { offset: this.#at, message };
  }
}

function show(c: string): string {
  return JSON.stringify(c);
}
