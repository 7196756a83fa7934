// Preloaded into each measured process: on exit, appends its peak RSS (KiB) to $BENCH_RSS_OUT.
import { appendFileSync } from "node:fs";

const out = process.env.BENCH_RSS_OUT;
if (out) {
  process.on("exit", () => appendFileSync(out, `${process.resourceUsage().maxRSS}\n`));
}
