import type { Logger } from "pino";
import { Informer, type InformerQuery } from "../../src/kube/informer.js";
import type { KubeClient, KubeObject } from "../../src/kube/kube-client.js";

/** One time an object was seen created or changed. */
export interface Sighting {
  at: number;
  key: string;
  object: KubeObject;
}

/** Everything a watch saw, from its start: to show that an object never appeared at any point. */
export interface Sightings {
  /** Every add and update seen so far (the objects present at the start count as adds). */
  all(): readonly Sighting[];
  /** The sightings of objects for which `match` holds, since `since` (ms since the epoch). */
  of(match: (object: KubeObject) => boolean, since?: number): Sighting[];
  stop(): Promise<void>;
}

/**
 * Watches a kind (optionally in one namespace) with an informer and records every object it sees
 * added or changed. Unlike a list at the end of a test, this catches an object that appeared and
 * was deleted again in between.
 */
export async function watchSightings(
  client: Pick<KubeClient, "list" | "watch">,
  query: InformerQuery,
  logger: Logger,
): Promise<Sightings> {
  const seen: Sighting[] = [];
  const informer = new Informer({
    client,
    query,
    logger,
    backoff: { initialMs: 200, maxMs: 2_000 },
  });
  const record = (object: KubeObject): void => {
    seen.push({
      at: Date.now(),
      key: `${object.metadata.namespace ?? ""}/${object.metadata.name}`,
      object,
    });
  };
  informer.addEventHandler({ onAdd: record, onUpdate: (_old, object) => record(object) });
  informer.start();
  await informer.waitForSync();
  return {
    all: () => seen,
    of: (match, since = 0) => seen.filter((s) => s.at >= since && match(s.object)),
    stop: () => informer.stop(),
  };
}
