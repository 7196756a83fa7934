// path: src/policy/deep/er/fixture.ts
// expect: no-restricted-imports: src/policy may import only src/core
import { validate } from "../../../validate/validate.js";
export const used = validate;
