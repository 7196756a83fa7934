// path: src/sync/fixture.ts
// expect: no-restricted-imports: only src/server may import this library
import { Counter } from "prom-client";
export const used = Counter;
