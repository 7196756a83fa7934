// path: src/review/grade-claim.ts
// expect: no-restricted-imports: src/review does no I/O
import { readFileSync } from "node:fs";
export const used = readFileSync;
