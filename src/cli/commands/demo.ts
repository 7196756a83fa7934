import { InternalError, type ExitCode } from "../../core/errors.js";
import type { CommandContext } from "../io.js";

export function demoCommand(_ctx: CommandContext): Promise<ExitCode> {
  return Promise.reject(new InternalError("demo is not built yet"));
}
