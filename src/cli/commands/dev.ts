import { InternalError, type ExitCode } from "../../core/errors.js";
import type { CommandContext } from "../io.js";

const notYet = (): Promise<ExitCode> => Promise.reject(new InternalError("dev is not built yet"));
export const devUpCommand = (_ctx: CommandContext): Promise<ExitCode> => notYet();
export const devDownCommand = (_ctx: CommandContext): Promise<ExitCode> => notYet();
export const devStatusCommand = (_ctx: CommandContext): Promise<ExitCode> => notYet();
