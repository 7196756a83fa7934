import { pino, type Logger } from "pino";

/** A pino logger that keeps its records, so that tests assert on what was logged. */
export function captureLogger(level = "debug"): {
  logger: Logger;
  records: { level: number; msg: string; [key: string]: unknown }[];
} {
  const records: { level: number; msg: string; [key: string]: unknown }[] = [];
  const logger = pino(
    { level, base: null },
    {
      write(line: string) {
        records.push(JSON.parse(line) as (typeof records)[number]);
      },
    },
  );
  return { logger, records };
}
