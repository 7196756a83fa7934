// path: src/core/fixture.ts
// expect: no-restricted-imports: src/core may import only nothing else of the project
import { runChecks } from "../checks/index.js";
export const used = runChecks;
