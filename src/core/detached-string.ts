/**
 * A copy of a string that refers to no larger one. A parser's strings may be slices of the whole
 * text they were read from, and a message built from them refers to its parts: kept, either
 * would keep that whole text alive.
 */
export function detachedString(text: string): string {
  return (" " + text).slice(1);
}
