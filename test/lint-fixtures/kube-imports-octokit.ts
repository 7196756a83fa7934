// path: src/kube/fixture.ts
// expect: no-restricted-imports: only src/review may import this library
import { Octokit } from "octokit";
export const used = Octokit;
