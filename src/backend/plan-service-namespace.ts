import type { KubeObject } from "../kube/kube-client.js";
import { kubeBindKeys, type Isolation } from "../core/kube-bind-objects.js";

export interface ServiceNamespacePlan {
  /** The provider namespace to create (with its annotation), if it does not exist yet. */
  namespace: KubeObject | undefined;
  /** The `status.namespace` to write, if it is not written yet. */
  statusNamespace: string | undefined;
}

/**
 * The provider namespace of an APIServiceNamespace (spec §3.6): `<clusterNamespace>-<name>`, or
 * the consumer's own name under `None` isolation; an existing `status.namespace` is kept. The
 * namespace carries `kube-bind.io/api-service-namespace: <clusterNamespace>/<name>`.
 */
export function planServiceNamespace(
  apiServiceNamespace: KubeObject,
  isolation: Isolation,
  existingNamespaces: ReadonlySet<string>,
): ServiceNamespacePlan {
  const clusterNamespace = apiServiceNamespace.metadata.namespace ?? "";
  const name = apiServiceNamespace.metadata.name;
  const written = (apiServiceNamespace.status as { namespace?: string } | undefined)?.namespace;
  const target = written ?? providerNamespaceName(clusterNamespace, name, isolation);
  return {
    namespace: existingNamespaces.has(target)
      ? undefined
      : {
          apiVersion: "v1",
          kind: "Namespace",
          metadata: {
            name: target,
            annotations: { [kubeBindKeys.apiServiceNamespace]: `${clusterNamespace}/${name}` },
          },
        },
    statusNamespace: written === undefined ? target : undefined,
  };
}

/** `<clusterNamespace>-<name>`, or `<name>` when isolation is `None`. */
export function providerNamespaceName(
  clusterNamespace: string,
  name: string,
  isolation: Isolation,
): string {
  return isolation === "None" ? name : `${clusterNamespace}-${name}`;
}

/**
 * Provider namespaces whose APIServiceNamespace is gone: namespaces carrying the
 * `api-service-namespace` annotation that no APIServiceNamespace claims any more. Upstream
 * deletes `<clusterNamespace>-<name>` whatever the isolation; bindops deletes exactly the
 * namespaces it created, found by their annotation, so a `None`-isolation namespace of the same
 * name as a consumer's is never touched unless the backend made it.
 */
export function orphanedProviderNamespaces(
  namespaces: readonly KubeObject[],
  apiServiceNamespaces: readonly KubeObject[],
): string[] {
  const live = new Set(
    apiServiceNamespaces.map((a) => `${a.metadata.namespace ?? ""}/${a.metadata.name}`),
  );
  return namespaces
    .filter((n) => {
      const ref = n.metadata.annotations?.[kubeBindKeys.apiServiceNamespace];
      return ref !== undefined && !live.has(ref) && n.metadata.deletionTimestamp === undefined;
    })
    .map((n) => n.metadata.name);
}
