/** Where one object stands in the sync. */
export type SyncState = "synced" | "pending" | "conflicted";

/** Counts of objects by state, with the first few conflicts named, for a binding's `Synced`. */
export interface SyncCounts {
  synced: number;
  pending: number;
  conflicted: number;
  /** Up to five `kind namespace/name: why` lines. */
  conflicts: string[];
}

/**
 * The state of every object a binding's syncers handle, keyed by syncer and object: each
 * reconcile records where its object stands, and a removed object is forgotten.
 */
export class SyncTally {
  private readonly states = new Map<string, { state: SyncState; why?: string }>();
  private listener: (() => void) | undefined;

  /** Called (synchronously) whenever a state changes. */
  onChange(listener: () => void): void {
    this.listener = listener;
  }

  set(key: string, state: SyncState, why?: string): void {
    const old = this.states.get(key);
    if (old?.state === state && old.why === why) return;
    this.states.set(key, why === undefined ? { state } : { state, why });
    this.listener?.();
  }

  forget(key: string): void {
    if (this.states.delete(key)) this.listener?.();
  }

  /** Forgets every key starting with `prefix` (a stopped syncer's objects). */
  forgetPrefix(prefix: string): void {
    let changed = false;
    for (const key of this.states.keys()) {
      if (key.startsWith(prefix)) changed = this.states.delete(key) || changed;
    }
    if (changed) this.listener?.();
  }

  counts(): SyncCounts {
    const counts: SyncCounts = { synced: 0, pending: 0, conflicted: 0, conflicts: [] };
    for (const [key, { state, why }] of [...this.states].sort(([a], [b]) => (a < b ? -1 : 1))) {
      counts[state]++;
      if (state === "conflicted" && counts.conflicts.length < 5) {
        counts.conflicts.push(`${key.slice(key.indexOf(" ") + 1)}: ${why ?? "conflict"}`);
      }
    }
    return counts;
  }
}
