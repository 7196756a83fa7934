// path: src/review/assemble-review.ts
// expect: no-restricted-imports: only src/review/github may import this library
import { Octokit } from "octokit";
export const used = Octokit;
