// path: src/manifests/fixture.ts
// expect: no-restricted-imports: src/manifests does no I/O
import { readFileSync } from "node:fs";
export const read = readFileSync;
