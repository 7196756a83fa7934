import type { KubeObject } from "../kube/kube-client.js";
import { claimableResources } from "./plan-request.js";
import { kubeBindKeys, type ServiceExport } from "../core/kube-bind-objects.js";

/** The verbs kube-bind grants on exported and claimed resources (spec §4.6). */
export const grantedVerbs = ["get", "list", "watch", "create", "update", "patch", "delete"];

/** The aggregating ClusterRole and its binding. */
export const exportsRoleName = "kube-binder-exports";

const rbacApiVersion = "rbac.authorization.k8s.io/v1";

export interface ExportRbacWorld {
  export: ServiceExport;
  /** The cluster namespace object (owner of the per-export ClusterRoles). */
  clusterNamespace: KubeObject;
  /** Provider namespaces mapped for this cluster namespace (APIServiceNamespace status). */
  providerNamespaces: readonly string[];
}

/**
 * The RBAC an export grants its consumer's `kube-binder` service account (spec §4.6), narrowed to
 * what that consumer's konnector uses (ADR 0003):
 * - informer scope `Namespaced` (the default): Roles, never ClusterRoles. In the cluster namespace
 *   and in each provider namespace mapped for the consumer, Role + RoleBinding
 *   `kube-binder-resources-<export>` (the exported resources) and `kube-binder-claims-<export>`
 *   (the claimed ones). Upstream grants the exported resources cluster-wide here, which lets one
 *   consumer read every other consumer's objects of the kind.
 * - informer scope `Cluster`: the konnector watches cluster-wide, so ClusterRoles
 *   `kube-binder-resources-<ns>-<export>` and `kube-binder-claims-<ns>-<export>`, as upstream,
 *   aggregated into the consumer's own `kube-binder-exports-<ns>` (see
 *   `planConsumerExportsRole`) rather than one shared role whose binding upstream overwrites
 *   (spec §12.15).
 */
export function planExportRbac(world: ExportRbacWorld): KubeObject[] {
  const ns = world.export.metadata.namespace ?? "";
  const name = world.export.metadata.name;
  const owner = {
    apiVersion: "v1",
    kind: "Namespace",
    name: world.clusterNamespace.metadata.name,
    uid: world.clusterNamespace.metadata.uid ?? "",
  };
  const resources = world.export.spec.resources.map((r) => ({
    apiGroups: [r.group ?? ""],
    resources: [r.resource, `${r.resource}/status`],
    verbs: grantedVerbs,
  }));
  const claims = (world.export.spec.permissionClaims ?? [])
    .filter((c) => (c.group ?? "") === "" && claimableResources.includes(c.resource))
    .map((c) => ({ apiGroups: [c.group ?? ""], resources: [c.resource], verbs: grantedVerbs }));
  const grants = [
    { suffix: "resources", rules: resources },
    { suffix: "claims", rules: claims },
  ].filter((g) => g.rules.length > 0);

  if (world.export.spec.informerScope === "Cluster") {
    const aggregateLabel = { [kubeBindKeys.aggregateToParent]: "true", [consumerLabel]: ns };
    return grants.map((g) => ({
      apiVersion: rbacApiVersion,
      kind: "ClusterRole",
      metadata: {
        name: `kube-binder-${g.suffix}-${ns}-${name}`,
        labels: aggregateLabel,
        ownerReferences: [owner],
      },
      rules: g.rules,
    }));
  }
  const objects: KubeObject[] = [];
  for (const namespace of [ns, ...world.providerNamespaces.filter((n) => n !== ns)]) {
    for (const g of grants) {
      const roleName = `kube-binder-${g.suffix}-${name}`;
      objects.push(
        {
          apiVersion: rbacApiVersion,
          kind: "Role",
          metadata: { name: roleName, namespace },
          rules: g.rules,
        },
        {
          apiVersion: rbacApiVersion,
          kind: "RoleBinding",
          metadata: { name: roleName, namespace },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: roleName },
          subjects: [{ kind: "ServiceAccount", name: "kube-binder", namespace: ns }],
        },
      );
    }
  }
  return objects;
}

/** Labels each per-export ClusterRole with the cluster namespace it serves. */
export const consumerLabel = "bindops.dev/cluster-namespace";

/**
 * Per consumer: ClusterRole `kube-binder-exports-<ns>` aggregating that consumer's export roles,
 * and its ClusterRoleBinding to the consumer's `kube-binder` service account.
 */
export function planConsumerExportsRole(clusterNamespace: KubeObject): KubeObject[] {
  const ns = clusterNamespace.metadata.name;
  const owner = {
    apiVersion: "v1",
    kind: "Namespace",
    name: ns,
    uid: clusterNamespace.metadata.uid ?? "",
  };
  const name = `${exportsRoleName}-${ns}`;
  return [
    {
      apiVersion: rbacApiVersion,
      kind: "ClusterRole",
      metadata: { name, ownerReferences: [owner] },
      aggregationRule: {
        clusterRoleSelectors: [
          { matchLabels: { [kubeBindKeys.aggregateToParent]: "true", [consumerLabel]: ns } },
        ],
      },
    },
    {
      apiVersion: rbacApiVersion,
      kind: "ClusterRoleBinding",
      metadata: { name, ownerReferences: [owner] },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
      subjects: [{ kind: "ServiceAccount", name: "kube-binder", namespace: ns }],
    },
  ];
}
