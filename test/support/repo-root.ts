import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The bindops repository's root folder (the one holding package.json). */
export const repoRoot = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));

/**
 * `../shared` beside the repository (kube-bind's reference CRDs and examples), or `undefined`
 * when this checkout has none; tests that need it skip themselves then.
 */
export function sharedDir(): string | undefined {
  const dir = path.resolve(repoRoot, "..", "shared");
  return existsSync(dir) ? dir : undefined;
}
