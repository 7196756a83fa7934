// path: src/core/fixture.ts
// expect: no-restricted-imports: src/core may import only nothing else of the project
import { validate } from "../validate/validate.js";
export const used = validate;
