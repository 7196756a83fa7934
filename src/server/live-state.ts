import type { KubeObject } from "../core/kube-object.js";
import { adaptCrdToServer } from "../kube/adapt-crd-to-server.js";
import type { CallOptions, KubeClient } from "../kube/kube-client.js";
import { isKubeError } from "../kube/kube-error.js";
import { getOrUndefined } from "../kube/not-found.js";
import { bindopsKeys } from "../plan/desired-state.js";
import {
  inventoryRef,
  isForeignInventory,
  parseInventory,
  type ObjectKey,
} from "../plan/inventory.js";

/** What the inventory on a cluster lists: what the last reconcile applied there. */
export async function readInventory(
  client: KubeClient,
  options: CallOptions = {},
  name: string = inventoryRef.name,
): Promise<ObjectKey[]> {
  return parseInventory(await getOrUndefined(client, { ...inventoryRef, name }, options));
}

/** The inventory ConfigMaps of other layouts than `own` on a cluster. */
export async function foreignInventories(
  client: KubeClient,
  own: string,
  call: { signal?: AbortSignal },
): Promise<KubeObject[] | "forbidden"> {
  try {
    const { items } = await client.list(
      {
        apiVersion: inventoryRef.apiVersion,
        kind: inventoryRef.kind,
        namespace: inventoryRef.namespace,
        labelSelector: { [bindopsKeys.managedBy]: "bindops" },
      },
      call,
    );
    return items.filter((item) => isForeignInventory(item.metadata.name, own));
  } catch (error) {
    // Granted get and apply of its own inventory only (as before --shards could change): no
    // takeover, and the reconcile goes on.
    if (isKubeError(error, "Forbidden")) return "forbidden";
    throw error;
  }
}

/** A CRD as bindops applies it to this server: without the schema fields the server predates. */
export async function serverCrd(
  client: KubeClient,
  crd: KubeObject,
  options: CallOptions = {},
): Promise<KubeObject> {
  return adaptCrdToServer(crd, await client.serverVersion(options)).crd;
}

/** A failure that says the cluster stopped answering, rather than refusing one request. */
export function isUnreachableError(error: unknown): boolean {
  return isKubeError(error, "Unreachable", "Timeout");
}

/** The cluster a Kubernetes error came from, by its server's URL. */
export function clusterOfError(
  error: unknown,
  clients: ReadonlyMap<string, KubeClient>,
): string | undefined {
  if (!isKubeError(error) || error.server === undefined) return undefined;
  for (const [name, client] of clients) if (client.server === error.server) return name;
  return undefined;
}

/** An error's message, for logs and status files. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
