import { InternalError, type ExitCode } from "../../core/errors.js";
import type { CommandContext } from "../io.js";

export function crdsCommand(_ctx: CommandContext): Promise<ExitCode> {
  return Promise.reject(new InternalError("crds is not built yet"));
}
