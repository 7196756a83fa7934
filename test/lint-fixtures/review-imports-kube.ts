// path: src/review/fixture.ts
// expect: no-restricted-imports: src/review may import only
import { installCrds } from "../kube/install-crd.js";
export const used = installCrds;
