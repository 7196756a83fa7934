import type { KubeClient, KubeObject, ObjectRef, WriteOptions } from "./kube-client.js";
import { retryOnConflict, type RetryOnConflictOptions } from "./retry-on-conflict.js";

export interface UpdateWithRetryOptions extends WriteOptions {
  /** Write the status subresource instead of the object. */
  status?: boolean;
  retry?: Omit<RetryOnConflictOptions, "signal">;
}

/**
 * Reads an object, changes it with `mutate` and writes it back with its resourceVersion, reading
 * and mutating afresh whenever another writer got there first (`Conflict`). `mutate` returns the
 * new object, or `undefined` when there is nothing to change (then nothing is written and the read
 * object is returned).
 */
export async function updateWithRetry(
  client: Pick<KubeClient, "get" | "update" | "updateStatus">,
  ref: ObjectRef,
  mutate: (current: KubeObject) => KubeObject | undefined,
  options: UpdateWithRetryOptions = {},
): Promise<KubeObject> {
  const { status, retry, ...write } = options;
  const call = options.signal === undefined ? {} : { signal: options.signal };
  return retryOnConflict(
    async () => {
      const current = await client.get(ref, call);
      const next = mutate(structuredClone(current));
      if (next === undefined) return current;
      const versioned: KubeObject = {
        ...next,
        metadata: { ...next.metadata, resourceVersion: current.metadata.resourceVersion! },
      };
      return status ? client.updateStatus(versioned, write) : client.update(versioned, write);
    },
    { ...retry, ...call },
  );
}
