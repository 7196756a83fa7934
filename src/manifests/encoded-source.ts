import { decodeSource } from "./decode-source.js";
import type { SourceChunk, SourceFile } from "./source-map.js";

/**
 * A loaded file's `SourceFile` that keeps the file's bytes rather than its text, and decodes
 * them again whenever a position or a second parse is asked for. Bytes lie outside the garbage
 * collected heap: holding the text of every file until the end of a run costs more in garbage
 * collection than decoding the few files that have findings twice.
 */
export function encodedSource(bytes: Uint8Array, chunks: readonly SourceChunk[]): SourceFile {
  return new EncodedSource(bytes, chunks);
}

/** How many decoded texts are kept, least recently used first. */
const keptTexts = 4;
const recentTexts = new Map<EncodedSource, string>();

class EncodedSource implements SourceFile {
  readonly chunks: readonly SourceChunk[];
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array, chunks: readonly SourceChunk[]) {
    this.#bytes = bytes;
    this.chunks = chunks;
  }

  /**
   * Decoded when asked for; only the texts of the last few files asked for are kept, for the
   * documents of one file are asked for one after the other: kept texts of many large files
   * would add up.
   */
  get text(): string {
    let text = recentTexts.get(this);
    if (text === undefined) {
      const decoded = decodeSource(this.#bytes);
      // Only files that decoded once become sources.
      text = decoded.ok ? decoded.text : "";
      recentTexts.set(this, text);
      if (recentTexts.size > keptTexts) recentTexts.delete(recentTexts.keys().next().value!);
    } else {
      recentTexts.delete(this);
      recentTexts.set(this, text);
    }
    return text;
  }
}
