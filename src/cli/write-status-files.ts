import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";

/** Writes (or deletes, for `null`) status files under `root`, by their repository paths. */
export async function writeStatusFiles(
  root: string,
  files: ReadonlyMap<string, string | null>,
): Promise<void> {
  for (const [file, text] of files) {
    const target = path.join(root, file);
    if (!target.startsWith(root + path.sep)) continue;
    if (text === null) {
      await rm(target, { force: true });
      continue;
    }
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, text);
  }
}
