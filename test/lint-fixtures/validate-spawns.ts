// path: src/validate/fixture.ts
// expect: no-restricted-imports: src/validate does no I/O
import { spawn } from "node:child_process";
export const run = spawn;
