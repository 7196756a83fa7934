import { spawn, type ChildProcess } from "node:child_process";
import { cliPath } from "./run-cli.js";

/** A `bindops run` process whose JSON log lines are collected. */
export class RunProcess {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[] = [];
  stderr = "";
  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [cliPath, "run", ...args, "--log-format", "json"], {
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    this.child.stderr!.setEncoding("utf8").on("data", (d: string) => {
      this.stderr += d;
      for (const line of d.split("\n")) {
        try {
          this.lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // a partial line; the whole text is in stderr
        }
      }
    });
  }
  logged(text: string): boolean {
    return this.stderr.includes(text);
  }
  /** The address an endpoint listens on, from the first log line. */
  address(which: "health" | "metrics" | "webhook"): string | undefined {
    const line = this.lines.find((l) => typeof l[which] === "string");
    const addr = line?.[which] as string | undefined;
    return addr ? `http://127.0.0.1${addr.slice(addr.lastIndexOf(":"))}` : undefined;
  }
  exited(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return Promise.resolve(this.child.exitCode);
    }
    return new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }
}
