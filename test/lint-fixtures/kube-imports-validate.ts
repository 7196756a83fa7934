// path: src/kube/fixture.ts
// expect: no-restricted-imports: src/kube may import only src/core, src/schema
import { validate } from "../validate/validate.js";
export const used = validate;
