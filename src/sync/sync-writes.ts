/** Which way an object crossed: `up` from the consumer to the provider, `down` back. */
export type SyncDirection = "up" | "down";

/** Writes of the konnector across clusters in this process, by direction and kind. */
const writes = new Map<string, { direction: SyncDirection; kind: string; count: number }>();

/** Counts one object the konnector created or changed on the other cluster. */
export function countSyncWrite(direction: SyncDirection, kind: string): void {
  const key = `${direction} ${kind}`;
  const entry = writes.get(key);
  if (entry) entry.count++;
  else writes.set(key, { direction, kind, count: 1 });
}

/** Every direction and kind written so far, with its count (for `/metrics`). */
export function syncWriteCounts(): readonly {
  direction: SyncDirection;
  kind: string;
  count: number;
}[] {
  return [...writes.values()];
}
