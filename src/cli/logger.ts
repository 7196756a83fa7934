import { createRequire } from "node:module";
import { pino, type Logger, type LevelWithSilent } from "pino";

export type LogFormat = "text" | "json";

export interface LoggerOptions {
  level: LevelWithSilent;
  format: LogFormat;
  /** Where log lines go; stderr, so that stdout stays the command's output. */
  stream: NodeJS.WritableStream & { isTTY?: boolean };
  color: boolean;
}

/**
 * Human text for people, JSON for machines. The text form is pino-pretty used as a synchronous
 * stream (not a worker transport), so a line is written before the process exits.
 */
export function createLogger(options: LoggerOptions): Logger {
  if (options.format === "json") {
    return pino({ level: options.level, base: null }, options.stream);
  }
  // pino-pretty is the heaviest part of start-up, and most runs log nothing: it is loaded on the
  // first line written.
  let pretty: NodeJS.WritableStream | undefined;
  const destination = {
    write(line: string): boolean {
      pretty ??= prettyStream(options);
      return pretty.write(line);
    },
  };
  return pino({ level: options.level, base: null }, destination);
}

function prettyStream(options: LoggerOptions): NodeJS.WritableStream {
  const require = createRequire(import.meta.url);
  const pretty = require("pino-pretty") as (o: Record<string, unknown>) => NodeJS.WritableStream;
  return pretty({
    destination: options.stream,
    colorize: options.color,
    ignore: "pid,hostname,time",
    sync: true,
    singleLine: true,
  });
}
