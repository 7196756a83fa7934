// path: src/validate/fixture.ts
// expect: no-restricted-imports: only src/git may import this library
import { simpleGit } from "simple-git";
export const git = simpleGit;
