// path: src/server/fixture.ts
// expect: no-restricted-imports: src/server may import only
import { run } from "../cli/run.js";
export const used = run;
