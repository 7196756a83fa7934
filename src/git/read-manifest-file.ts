import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { tooLarge, type SnapshotFile } from "../core/snapshot.js";

/**
 * The file's bytes, or why not. The size is checked on the open descriptor before reading and the
 * read never goes past it, so a huge file (or one that grows meanwhile) is not slurped.
 */
export function readManifestFile(path: string, maxBytes: number): SnapshotFile {
  let fd: number;
  try {
    // Non-blocking: opening a named pipe without a writer would otherwise wait forever.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (cause) {
    return unreadable(cause);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { rule: "unreadable-file", message: "not a regular file" };
    if (stat.size > maxBytes) return tooLarge(stat.size, maxBytes);
    // One byte more than the size tells a file that grew after the stat.
    const buffer = Buffer.allocUnsafe(stat.size + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n) {
      n = readSync(fd, buffer, length, buffer.length - length, null);
    }
    if (length > stat.size) {
      return { rule: "unreadable-file", message: "the file changed while being read" };
    }
    return buffer.subarray(0, length);
  } catch (cause) {
    return unreadable(cause);
  } finally {
    closeSync(fd);
  }
}

function unreadable(cause: unknown): SnapshotFile {
  const code = (cause as { code?: unknown } | null)?.code;
  const reason =
    typeof code === "string" ? code : cause instanceof Error ? cause.message : String(cause);
  return { rule: "unreadable-file", message: `the file cannot be read (${reason})` };
}
