import type { CallOptions, KubeClient, KubeObject, ObjectRef } from "./kube-client.js";
import { isKubeError } from "./kube-error.js";

/** The object, or `undefined` when the server has none of that name. */
export async function getOrUndefined(
  client: Pick<KubeClient, "get">,
  ref: ObjectRef,
  options: CallOptions = {},
): Promise<KubeObject | undefined> {
  try {
    return await client.get(ref, options);
  } catch (error) {
    if (isKubeError(error, "NotFound")) return undefined;
    throw error;
  }
}

/** For `.catch(ignoreNotFound)` after a delete: an object already gone is no failure. */
export function ignoreNotFound(error: unknown): void {
  if (!isKubeError(error, "NotFound")) throw error;
}
