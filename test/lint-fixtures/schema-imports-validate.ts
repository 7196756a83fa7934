// path: src/schema/fixture.ts
// expect: no-restricted-imports: src/schema may import only src/core
import { validate } from "../validate/validate.js";
export const used = validate;
