import { createInterface } from "node:readline";
import { BindopsError } from "../core/errors.js";

/** Questions asked in a terminal, one line each; a blank answer takes the default. */
export interface Prompt {
  /** The answer, trimmed, or `fallback` for a blank one. */
  text(question: string, fallback?: string): Promise<string>;
  /** `y`/`yes` or `n`/`no` (asked again otherwise); blank is `fallback`. */
  yes(question: string, fallback: boolean): Promise<boolean>;
  close(): void;
}

/**
 * A {@link Prompt} on a terminal's input and output (or any pair of streams, in tests). Lines
 * typed ahead are kept for the next questions; input that ends before an answer is a usage error.
 */
export function openPrompt(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Prompt {
  const lines = createInterface({ input, terminal: false });
  const typed: string[] = [];
  let waiting: ((line: string | undefined) => void) | undefined;
  let closed = false;
  lines.on("line", (line) => {
    if (waiting) {
      const answer = waiting;
      waiting = undefined;
      answer(line);
    } else typed.push(line);
  });
  lines.on("close", () => {
    closed = true;
    waiting?.(undefined);
    waiting = undefined;
  });
  const ask = async (question: string): Promise<string> => {
    output.write(question);
    const line =
      typed.length > 0
        ? typed.shift()
        : closed
          ? undefined
          : await new Promise<string | undefined>((resolve) => (waiting = resolve));
    if (line === undefined) {
      output.write("\n");
      throw new BindopsError("usage", "no-answer", "no answer: the input ended");
    }
    return line.trim();
  };
  return {
    async text(question, fallback) {
      const answer = await ask(`${question}${fallback ? ` [${fallback}]` : ""}: `);
      return answer === "" ? (fallback ?? "") : answer;
    },
    async yes(question, fallback) {
      for (;;) {
        const answer = (await ask(`${question} [${fallback ? "Y/n" : "y/N"}]: `)).toLowerCase();
        if (answer === "") return fallback;
        if (answer === "y" || answer === "yes") return true;
        if (answer === "n" || answer === "no") return false;
      }
    },
    close: () => lines.close(),
  };
}
