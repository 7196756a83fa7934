// path: src/checks/fixture.ts
// expect: no-restricted-imports: only src/cli reads process.env
import { env } from "node:process";
export const home = env.HOME;
