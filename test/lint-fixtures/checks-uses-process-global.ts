// path: src/checks/fixture.ts
// expect: no-restricted-globals: only src/cli reads process.env
export const home = process.env.HOME;
