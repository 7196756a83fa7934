import type { KubeBindCondition } from "./kube-bind-conditions.js";
import type { KubeObject } from "./kube-object.js";
import type { ClaimDirection } from "./service-binding.js";

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

/** What the konnector writes on the objects it syncs (spec §1.1), exactly as upstream spells it. */
export const konnectorKeys = {
  /** On every provider copy of a bound object: the cluster namespace it belongs to. */
  clusterNamespace: "kube-bind.io/cluster-namespace",
  consumerNamespace: "kube-bind.io/consumer-namespace",
  consumerUid: "kube-bind.io/consumer-uid",
  providerNamespace: "kube-bind.io/provider-namespace",
  providerUid: "kube-bind.io/provider-uid",
  /** No hyphen, unlike every other key (spec §12.24). */
  syncerFinalizer: "kubebind.io/syncer",
} as const;

/**
 * The annotation on an `APIServiceBinding` with the consent its `ServiceBinding` states beyond
 * kube-bind's wire shape: each claim's direction and the namespaces claimed objects may come from.
 * The konnector enforces it; a binding without it (made by `kubectl bind`) gets kube-bind's rules.
 */
export const consentAnnotation = "bindops.dev/consent";

/** The value of {@link consentAnnotation}, as JSON. */
export interface Consent {
  /** Claimed objects sync only in these consumer namespaces; absent: any namespace. */
  namespaces?: string[];
  claims: { group: string; resource: string; direction: ClaimDirection }[];
}

/**
 * A binding's consent, or `undefined` when it states none. A consent that cannot be read (not
 * JSON, or namespaces that are not a list of names) grants nothing; claims it cannot read are
 * left out.
 */
export function consentOf(object: KubeObject): Consent | undefined {
  const text = object.metadata.annotations?.[consentAnnotation];
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Partial<Consent>;
    const claims = Array.isArray(value.claims) ? value.claims : [];
    const namespaces: unknown = value.namespaces;
    if (
      namespaces !== undefined &&
      !(Array.isArray(namespaces) && namespaces.every((n) => typeof n === "string"))
    ) {
      // Namespaces that cannot be read must not read as "any namespace".
      return { claims: [] };
    }
    return {
      ...(Array.isArray(value.namespaces) ? { namespaces: value.namespaces } : {}),
      claims: claims.filter(
        (c) =>
          typeof c?.resource === "string" &&
          ["Both", "ProviderToConsumer", "ConsumerToProvider"].includes(c.direction),
      ),
    };
  } catch {
    // Unreadable consent grants nothing beyond what the claims themselves say.
    return { claims: [] };
  }
}
