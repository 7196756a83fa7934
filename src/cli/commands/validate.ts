import { InternalError, type ExitCode } from "../../core/errors.js";
import type { CommandContext } from "../io.js";

export function validateCommand(_ctx: CommandContext): Promise<ExitCode> {
  return Promise.reject(new InternalError("validate is not built yet"));
}
