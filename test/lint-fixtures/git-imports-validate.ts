// path: src/git/fixture.ts
// expect: no-restricted-imports: src/git may import only src/core
import { validate } from "../validate/validate.js";
export const used = validate;
