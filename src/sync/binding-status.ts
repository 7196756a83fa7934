import {
  setCondition,
  setReadySummary,
  type ConditionInput,
  type KubeBindCondition,
} from "../core/kube-bind-conditions.js";
import type { Informer } from "../kube/informer.js";
import type { KubeClient } from "../kube/kube-client.js";
import { isKubeError } from "../kube/kube-error.js";
import { objectRefOf } from "../kube/object-ref-of.js";
import { updateWithRetry } from "../kube/update-with-retry.js";
import { mergePatchBetween } from "./object-copies.js";

/**
 * Sets conditions (and other status fields) on an APIServiceBinding and recomputes `Ready`.
 * Several controllers write one binding's status, so it reads the binding afresh and retries on
 * conflicts; nothing is written when the cached binding already says it all.
 */
export async function updateBindingStatus(
  on: { client: KubeClient; bindings: Informer; now: () => Date },
  name: string,
  inputs: readonly ConditionInput[],
  fields: Record<string, unknown>,
  signal: AbortSignal,
): Promise<void> {
  const now = on.now();
  const desiredFrom = (status: Record<string, unknown>): Record<string, unknown> => {
    let conditions = status.conditions as KubeBindCondition[] | undefined;
    for (const input of inputs) conditions = setCondition(conditions, input, now);
    return { ...status, ...fields, conditions: setReadySummary(conditions, now) };
  };
  const cached = on.bindings.get(name);
  if (cached === undefined) return;
  const cachedStatus = (cached.status ?? {}) as Record<string, unknown>;
  if (mergePatchBetween(cachedStatus, desiredFrom(cachedStatus)) === undefined) return;
  await updateWithRetry(
    on.client,
    objectRefOf(cached),
    (current) => {
      const status = (current.status ?? {}) as Record<string, unknown>;
      const desired = desiredFrom(status);
      return mergePatchBetween(status, desired) === undefined
        ? undefined
        : { ...current, status: desired };
    },
    { signal, status: true },
  ).catch((error: unknown) => {
    if (!isKubeError(error, "NotFound")) throw error;
  });
}
