import type { KubeBindCondition } from "../core/kube-bind-conditions.js";
import type { KubeObject } from "../kube/kube-client.js";

/** kube-bind's API group and the version bindops writes. */
export const kubeBindApiVersion = "kube-bind.io/v1alpha2";

/** Labels and annotations of kube-bind (spec §1.1), exactly as upstream spells them. */
export const kubeBindKeys = {
  exportedLabel: "kube-bind.io/exported",
  ownerLabel: "kube-bind.io/owner",
  sourceSpecHash: "kube-bind.io/source-spec-hash",
  apiServiceNamespace: "kube-bind.io/api-service-namespace",
  identity: "backend.kube-bind.io/identity",
  author: "backend.kube-bind.io/author",
  clusterPrettyName: "backend.kube-bind.io/cluster-pretty-name",
  aggregateToParent: "rbac.kube-bind.io/aggregate-to-parent",
  providerKubeconfigLabel: "kube-bind.io/provider-kubeconfig",
} as const;

export type InformerScope = "Cluster" | "Namespaced";
export type Isolation = "Prefixed" | "Namespaced" | "None";

export interface GroupResource {
  group?: string;
  resource: string;
}

export interface ExportResource extends GroupResource {
  versions?: string[];
}

export interface PermissionClaimSpec extends GroupResource {
  selector?: Record<string, unknown>;
}

export interface ExportRequestSpec {
  resources: ExportResource[];
  permissionClaims?: PermissionClaimSpec[];
  namespaces?: { name: string }[];
  schemaUpdatePolicy?: "Never" | "Always";
  parameters?: Record<string, unknown>;
}

export type RequestPhase = "Pending" | "Failed" | "Succeeded";

export interface ExportRequestStatus {
  phase?: RequestPhase;
  terminalMessage?: string;
  conditions?: KubeBindCondition[];
}

export interface ExportRequest extends KubeObject {
  spec: ExportRequestSpec;
  status?: ExportRequestStatus;
}

export interface ServiceExportSpec {
  resources: ExportResource[];
  permissionClaims?: PermissionClaimSpec[];
  informerScope: InformerScope;
  isolation: Isolation;
}

export interface ServiceExport extends KubeObject {
  spec: ServiceExportSpec;
  status?: { conditions?: KubeBindCondition[] };
}

export interface BoundSchemaSpec {
  informerScope: InformerScope;
  group: string;
  names: Record<string, unknown> & { plural: string; kind: string };
  scope: "Cluster" | "Namespaced";
  versions: Record<string, unknown>[];
  conversion?: Record<string, unknown>;
}

export interface BoundSchema extends KubeObject {
  spec: BoundSchemaSpec;
}

/** `<resource>.<group>`, kube-bind's name for a resource (and a BoundSchema's name). */
export function resourceGroupName(r: GroupResource): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}
