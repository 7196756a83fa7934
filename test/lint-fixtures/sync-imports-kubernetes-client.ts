// path: src/sync/fixture.ts
// expect: no-restricted-imports: only src/kube may import this library
import { KubeConfig } from "@kubernetes/client-node";
export const used = KubeConfig;
