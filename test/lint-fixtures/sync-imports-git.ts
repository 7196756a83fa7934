// path: src/sync/fixture.ts
// expect: no-restricted-imports: src/sync may import only src/core, src/schema, src/kube
import { readFolderSnapshot } from "../git/read-folder-snapshot.js";
export const used = readFolderSnapshot;
