import { decodeSource } from "./decode-source.js";
import type { SourceChunk, SourceFile } from "./source-map.js";

/**
 * A loaded file's `SourceFile` that keeps the file's bytes rather than its text, and decodes
 * them again only if a position or a second parse is asked for. Bytes lie outside the garbage
 * collected heap: holding the text of every file until the end of a run costs more in garbage
 * collection than decoding the few files that have findings twice.
 */
export function encodedSource(bytes: Uint8Array, chunks: readonly SourceChunk[]): SourceFile {
  return new EncodedSource(bytes, chunks);
}

class EncodedSource implements SourceFile {
  readonly chunks: readonly SourceChunk[];
  readonly #bytes: Uint8Array;
  #text: string | undefined;

  constructor(bytes: Uint8Array, chunks: readonly SourceChunk[]) {
    this.#bytes = bytes;
    this.chunks = chunks;
  }

  get text(): string {
    if (this.#text === undefined) {
      const decoded = decodeSource(this.#bytes);
      // Only files that decoded once become sources.
      this.#text = decoded.ok ? decoded.text : "";
    }
    return this.#text;
  }
}
