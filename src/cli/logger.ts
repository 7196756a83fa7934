import { createRequire } from "node:module";
import type { Logger, LevelWithSilent, pino as Pino } from "pino";

export type LogFormat = "text" | "json";

export interface LoggerOptions {
  level: LevelWithSilent;
  format: LogFormat;
  /** Where log lines go; stderr, so that stdout stays the command's output. */
  stream: NodeJS.WritableStream & { isTTY?: boolean };
  color: boolean;
}

const require = createRequire(import.meta.url);

/** pino's level numbers; `silent` is above every level. */
const levelValues: Readonly<Record<string, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
};
const noop = (): void => undefined;

/**
 * Human text for people, JSON for machines. The text form is pino-pretty used as a synchronous
 * stream (not a worker transport), so a line is written before the process exits.
 *
 * pino itself is loaded on the first line written at or above the level (or the first other use,
 * such as `child`): most runs of `validate` log nothing, and loading it is a noticeable part of
 * their start-up.
 */
export function createLogger(options: LoggerOptions): Logger {
  let real: Logger | undefined;
  const load = (): Logger => (real ??= pinoLogger(options));
  const threshold = levelValues[options.level] ?? 0;
  return new Proxy({} as Logger, {
    get(_, key): unknown {
      if (real === undefined) {
        if (key === "level") return options.level;
        const value = typeof key === "string" ? levelValues[key] : undefined;
        if (value !== undefined && value < threshold) return noop;
      }
      const logger = load();
      const member: unknown = Reflect.get(logger, key);
      return typeof member === "function" ? (member.bind(logger) as unknown) : member;
    },
    set(_, key, value: unknown) {
      return Reflect.set(load(), key, value);
    },
  });
}

function pinoLogger(options: LoggerOptions): Logger {
  const pino = (require("pino") as { pino: typeof Pino }).pino;
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
  const pretty = require("pino-pretty") as (o: Record<string, unknown>) => NodeJS.WritableStream;
  return pretty({
    destination: options.stream,
    colorize: options.color,
    ignore: "pid,hostname,time",
    sync: true,
    singleLine: true,
  });
}
