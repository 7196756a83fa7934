import type * as IgnoreModule from "ignore";
import { createRequire } from "node:module";

/** Which paths the ignore patterns skip. */
export interface IgnoreRules {
  /** Whether a repository-relative path (ending in `/` for a folder) is skipped. */
  ignores: (path: string) => boolean;
  /** Whether any pattern can match a file, rather than only folders. */
  filesMayMatch: boolean;
}

/** Patterns whose meaning is simple enough to need no gitignore engine: `validate`'s defaults. */
const folderPatterns = new Map<string, (name: string) => boolean>([
  [".*/", (name) => name.startsWith(".")],
  ["node_modules/", (name) => name === "node_modules"],
]);

/**
 * The ignore rules of `.bindopsignore` (its text, `""` when absent) and `exclude` (does a path,
 * ending in `/` for a folder, match?), and whether any of them can
 * match a file (rather than only folders: a pattern ending in `/`, such as the default
 * `node_modules/`). Negations and escapes count as able to. When the rules are only `validate`'s
 * default folder patterns, they are matched here; otherwise by the `ignore` package, which is
 * loaded then.
 */
export function ignoreRules(file: string, exclude: readonly string[]): IgnoreRules {
  if (file === "" && exclude.every((pattern) => folderPatterns.has(pattern))) {
    const tests = exclude.map((pattern) => folderPatterns.get(pattern)!);
    return {
      // A folder pattern matches a path when it matches one of the path's folders.
      ignores: (path) => {
        const names = path.split("/");
        names.pop(); // the file's name, or "" after a folder's trailing slash
        return names.some((name) => tests.some((test) => test(name)));
      },
      filesMayMatch: false,
    };
  }
  const ignore = createRequire(import.meta.url)("ignore") as typeof IgnoreModule.default;
  const rules = ignore()
    .add(file)
    .add([...exclude]);
  const patterns = [file, ...exclude].flatMap((text) => text.split(/\r?\n/)).map((p) => p.trim());
  const filesMayMatch = patterns.some(
    (p) =>
      p !== "" && !p.startsWith("#") && (!p.endsWith("/") || p.startsWith("!") || p.includes("\\")),
  );
  return { ignores: (path) => rules.ignores(path), filesMayMatch };
}
