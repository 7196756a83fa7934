// path: src/backend/fixture.ts
// expect: no-restricted-imports: src/backend does no I/O
import { createServer } from "node:http";
export const used = createServer;
