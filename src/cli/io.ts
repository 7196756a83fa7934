import type { Logger } from "pino";

/** What every command gets from the composition root instead of reaching for globals. */
export interface CommandContext {
  logger: Logger;
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Standard input, for commands that read it (`validate -`). */
  stdin?: NodeJS.ReadableStream;
  /** Aborted on SIGINT/SIGTERM: long-running work stops and cleans up. */
  signal: AbortSignal;
  debug: boolean;
  /** Colours in text written to stdout: a terminal, and neither --no-color nor NO_COLOR. */
  color: boolean;
}

export function writeLine(stream: NodeJS.WritableStream, text = ""): void {
  stream.write(text + "\n");
}
