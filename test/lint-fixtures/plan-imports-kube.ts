// path: src/plan/fixture.ts
// expect: no-restricted-imports: src/plan may import only src/core
import { installCrds } from "../kube/install-crd.js";
export const used = installCrds;
