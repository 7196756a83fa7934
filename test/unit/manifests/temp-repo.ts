import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** A throwaway directory holding the given files (paths with forward slashes). */
export function tempRepo(files: Record<string, string | Uint8Array>): {
  root: string;
  remove: () => void;
} {
  const root = mkdtempSync(join(tmpdir(), "bindops-manifests-"));
  for (const [path, content] of Object.entries(files)) {
    const abs = join(root, ...path.split("/"));
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}
