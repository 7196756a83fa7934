import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { LoadRule } from "./load-rules.js";

/** A manifest file's bytes, or why it cannot be read. */
export type ManifestRead =
  { ok: true; bytes: Uint8Array } | { ok: false; rule: LoadRule; message: string };

/**
 * The file's bytes, or why not. The size is checked on the open descriptor before reading and the
 * read never goes past it, so a huge file (or one that grows meanwhile) is not slurped.
 */
export function readManifestFile(path: string, maxBytes: number): ManifestRead {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (cause) {
    return unreadable(cause);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile())
      return { ok: false, rule: "unreadable-file", message: "not a regular file" };
    if (stat.size > maxBytes) return tooLarge(stat.size, maxBytes);
    // One byte more than the size tells a file that grew after the stat.
    const buffer = Buffer.allocUnsafe(stat.size + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n) {
      n = readSync(fd, buffer, length, buffer.length - length, null);
    }
    if (length > stat.size) {
      return { ok: false, rule: "unreadable-file", message: "the file changed while being read" };
    }
    return { ok: true, bytes: buffer.subarray(0, length) };
  } catch (cause) {
    return unreadable(cause);
  } finally {
    closeSync(fd);
  }
}

function tooLarge(size: number, maxBytes: number): ManifestRead {
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return {
    ok: false,
    rule: "file-too-large",
    message: `the file is ${mib(size)}, over the ${mib(maxBytes)} limit for a manifest file`,
  };
}

function unreadable(cause: unknown): ManifestRead {
  const code = (cause as { code?: unknown } | null)?.code;
  const reason =
    typeof code === "string" ? code : cause instanceof Error ? cause.message : String(cause);
  return { ok: false, rule: "unreadable-file", message: `the file cannot be read (${reason})` };
}
