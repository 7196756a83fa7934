// path: src/backend/fixture.ts
// expect: no-restricted-imports: src/backend may import only src/core, src/schema, src/plan, src/kube
import { run } from "../cli/run.js";
export const used = run;
