/** A duration for messages: whole seconds as `30s`, anything else as `250ms`. */
export function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
