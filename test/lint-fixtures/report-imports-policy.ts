// path: src/report/fixture.ts
// expect: no-restricted-imports: src/report may import only src/core
import { evaluateClaims } from "../policy/evaluate-claims.js";
export const used = evaluateClaims;
