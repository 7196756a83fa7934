import {
  findCondition,
  setCondition,
  setReadySummary,
  type KubeBindCondition,
} from "../core/kube-bind-conditions.js";
import type { KubeObject } from "../kube/kube-client.js";
import { boundSchemaSpec, specHash, specsHash } from "./bound-schema.js";
import {
  kubeBindApiVersion,
  kubeBindKeys,
  resourceGroupName,
  type BoundSchema,
  type BoundSchemaSpec,
  type ExportRequest,
  type ExportRequestStatus,
  type InformerScope,
  type Isolation,
  type ServiceExport,
} from "../core/kube-bind-objects.js";

/** How the backend exports, unless a request's annotations say otherwise. */
export interface ExportSettings {
  /** kube-bind's `--consumer-scope`. Default `Namespaced`. */
  informerScope: InformerScope;
  /** kube-bind's `--isolation`. Default `Prefixed`. */
  isolation: Isolation;
}

/**
 * Annotations on an APIServiceExportRequest that choose its export's informer scope and isolation,
 * per binding, where kube-bind's backend has one setting for all (spec §12.8). kube-bind's own
 * backend ignores them and uses its flags.
 */
export const exportSettingAnnotations = {
  informerScope: "bindops.dev/informer-scope",
  isolation: "bindops.dev/isolation",
} as const;

/** The claimable APIs (spec §4.1): all core/v1, all namespaced. */
export const claimableResources: readonly string[] = ["configmaps", "secrets", "serviceaccounts"];

/** What the backend sees when it reconciles one request; all from informer caches. */
export interface RequestWorld {
  request: ExportRequest;
  /** CRDs labelled `kube-bind.io/exported=true`, by `<plural>.<group>`. */
  exportedCrds: ReadonlyMap<string, KubeObject>;
  /** BoundSchemas in the request's namespace, by name. */
  boundSchemas: ReadonlyMap<string, BoundSchema>;
  /** The APIServiceExport named like the request, if it exists. */
  export: ServiceExport | undefined;
  /** Names of the APIServiceNamespaces in the request's namespace. */
  apiServiceNamespaces: ReadonlySet<string>;
  settings: ExportSettings;
  /**
   * How long a request may wait for a CRD it names before it fails; a CRD applied in the same
   * revision as the request arrives within it.
   */
  schemaGraceMs: number;
  now: Date;
}

/** What to write, in order: BoundSchemas, then the export, then namespaces, then the status. */
export interface RequestPlan {
  /** BoundSchemas to create or replace. */
  boundSchemas: BoundSchema[];
  /** The export to create. */
  export: ServiceExport | undefined;
  /** APIServiceNamespaces to create. */
  namespaces: KubeObject[];
  /** The request's status as it should be. */
  status: ExportRequestStatus;
  /** Look again after this long even without events (schema re-sync, grace running out). */
  requeueAfterMs: number | undefined;
}

/** Problems that no later event can fix: the request fails at once. */
interface Verdict {
  condition: "ExportsReady" | "PermissionClaim";
  reason: string;
  message: string;
  /** Fails now (terminal) rather than waiting. */
  terminal: boolean;
}

/**
 * Plans one reconcile of an APIServiceExportRequest, as kube-bind's backend handles it (spec §5.3):
 * BoundSchemas from the exported CRDs, validation of resources and claims, one APIServiceExport
 * named after the request, APIServiceNamespaces for `spec.namespaces`, and the phase. Pure and
 * idempotent: planning against the state this plan produces plans no writes. Where bindops
 * differs from upstream (ADR 0003): a slow export does not fail the request, an existing export
 * completes it, resources without `versions` are bound with the CRD's served versions, and a
 * request is never deleted by age.
 */
export function planRequest(world: RequestWorld): RequestPlan {
  const { request, now } = world;
  const settings = settingsOf(request, world.settings);
  const status = request.status ?? {};
  const plan: RequestPlan = {
    boundSchemas: [],
    export: undefined,
    namespaces: [],
    status: { ...status, phase: status.phase ?? "Pending" },
    requeueAfterMs: undefined,
  };
  // Failed is terminal, as upstream: nothing is written for the request any more.
  if (status.phase === "Failed") return plan;

  const resources: ResolvedResource[] = request.spec.resources.map((r) => ({
    ...r,
    name: resourceGroupName(r),
    crd: world.exportedCrds.get(resourceGroupName(r)),
  }));
  const verdict = validate(world, resources);
  let conditions = status.conditions ?? [];

  if (verdict) {
    conditions = setCondition(
      conditions,
      {
        type: verdict.condition,
        status: "False",
        severity: "Error",
        reason: verdict.reason,
        message: verdict.message,
      },
      now,
    );
    const age = now.getTime() - Date.parse(request.metadata.creationTimestamp ?? now.toISOString());
    const expired = age >= world.schemaGraceMs;
    if (verdict.terminal || expired) {
      plan.status = { ...plan.status, phase: "Failed", terminalMessage: verdict.message };
    } else {
      plan.requeueAfterMs = Math.max(1_000, world.schemaGraceMs - age);
    }
    plan.status.conditions = setReadySummary(conditions, now);
    return plan;
  }
  conditions = setCondition(conditions, { type: "PermissionClaim", status: "True" }, now);

  const { writes, specs } = planBoundSchemas(world, resources, settings);
  plan.boundSchemas = writes;
  if ((request.spec.schemaUpdatePolicy ?? "Never") === "Always") {
    plan.requeueAfterMs = schemaSyncIntervalMs;
  }
  // The export, named after the request; never replaced (its spec is immutable).
  if (!world.export) plan.export = exportFor(request, resources, specs, settings);
  conditions = setCondition(conditions, { type: "ExportsReady", status: "True" }, now);
  // APIServiceNamespaces are owned by the export: they need its uid, so they follow its creation.
  const exportUid = world.export?.metadata.uid;
  if (world.export && exportUid !== undefined) plan.namespaces = namespacesFor(world, world.export);

  // 4. Succeeded once the export exists and this plan completes what it owns; the export's
  // creation event brings the request back for that.
  plan.status = {
    ...plan.status,
    phase: exportUid !== undefined ? "Succeeded" : "Pending",
    conditions: setReadySummary(conditions, now),
  };
  return plan;
}

type ResolvedResource = ExportRequest["spec"]["resources"][number] & {
  name: string;
  crd: KubeObject | undefined;
};

/** BoundSchemas: created once; replaced only under `Always` when the CRD's spec hash changed. */
function planBoundSchemas(
  world: RequestWorld,
  resources: readonly ResolvedResource[],
  settings: ExportSettings,
): { writes: BoundSchema[]; specs: BoundSchemaSpec[] } {
  const namespace = world.request.metadata.namespace ?? "";
  const policy = world.request.spec.schemaUpdatePolicy ?? "Never";
  const owner = world.export?.metadata.uid ? controllerRef(world.export) : undefined;
  const writes: BoundSchema[] = [];
  const specs: BoundSchemaSpec[] = [];
  for (const r of resources) {
    const desired = boundSchemaSpec(r.crd!, settings);
    const hash = specHash(desired);
    const existing = world.boundSchemas.get(r.name);
    if (!existing) {
      writes.push(boundSchema(r.name, namespace, desired, hash, owner));
      specs.push(desired);
      continue;
    }
    const existingHash =
      existing.metadata.annotations?.[kubeBindKeys.sourceSpecHash] ?? specHash(existing.spec);
    const replace = policy === "Always" && existingHash !== hash;
    const needsOwner = owner !== undefined && !hasOwner(existing, owner.uid);
    const spec = replace ? desired : existing.spec;
    if (replace || needsOwner) {
      writes.push(boundSchema(r.name, namespace, spec, replace ? hash : existingHash, owner));
    }
    specs.push(spec);
  }
  return { writes, specs };
}

function exportFor(
  request: ExportRequest,
  resources: readonly ResolvedResource[],
  specs: readonly BoundSchemaSpec[],
  settings: ExportSettings,
): ServiceExport {
  return {
    apiVersion: kubeBindApiVersion,
    kind: "APIServiceExport",
    metadata: {
      name: request.metadata.name,
      namespace: request.metadata.namespace ?? "",
      annotations: { [kubeBindKeys.sourceSpecHash]: specsHash(specs) },
    },
    spec: {
      resources: resources.map((r) => ({
        group: r.group ?? "",
        resource: r.resource,
        versions: versionsOf(r, r.crd!),
      })),
      ...(request.spec.permissionClaims ? { permissionClaims: request.spec.permissionClaims } : {}),
      informerScope: settings.informerScope,
      isolation: settings.isolation,
    },
  };
}

function namespacesFor(world: RequestWorld, owner: ServiceExport): KubeObject[] {
  return (world.request.spec.namespaces ?? [])
    .filter(({ name }) => !world.apiServiceNamespaces.has(name))
    .map(({ name }) => ({
      apiVersion: kubeBindApiVersion,
      kind: "APIServiceNamespace",
      metadata: {
        name,
        namespace: world.request.metadata.namespace ?? "",
        labels: { [kubeBindKeys.ownerLabel]: "provider" },
        ownerReferences: [controllerRef(owner)],
      },
      spec: {},
    }));
}

/** kube-bind's `--schema-sync-interval` default: how often `Always` re-reads the CRDs. */
export const schemaSyncIntervalMs = 5 * 60_000;

function validate(
  world: RequestWorld,
  resources: {
    name: string;
    group?: string;
    resource: string;
    versions?: string[];
    crd: KubeObject | undefined;
  }[],
): Verdict | undefined {
  const claims = world.request.spec.permissionClaims ?? [];
  const seen = new Set<string>();
  for (const claim of claims) {
    const name = `${claim.resource}.${claim.group ?? ""}`;
    if ((claim.group ?? "") !== "" || !claimableResources.includes(claim.resource)) {
      return {
        condition: "PermissionClaim",
        reason: "InvalidPermissionClaim",
        message: `permission claim for ${name} is not claimable: only configmaps, secrets and serviceaccounts of the core group are`,
        terminal: true,
      };
    }
    if (seen.has(name)) {
      return {
        condition: "PermissionClaim",
        reason: "DuplicatePermissionClaim",
        message: `permission claim for ${name} is listed more than once`,
        terminal: true,
      };
    }
    seen.add(name);
  }
  if (world.exportedCrds.size === 0) {
    return {
      condition: "ExportsReady",
      reason: "SchemaNotFound",
      message: "the provider exports no schemas (no CRD is labelled kube-bind.io/exported=true)",
      terminal: false,
    };
  }
  for (const r of resources) {
    if (!r.crd) {
      return {
        condition: "ExportsReady",
        reason: "SchemaNotFound",
        message: `no exported schema ${r.name}: the provider has no CRD of that name labelled kube-bind.io/exported=true`,
        terminal: false,
      };
    }
    const served = servedVersions(r.crd);
    const unserved = (r.versions ?? []).filter((v) => !served.includes(v));
    if (unserved.length > 0) {
      return {
        condition: "ExportsReady",
        reason: "SchemaNotFound",
        message: `${r.name} does not serve version ${unserved.join(", ")} (served: ${served.join(", ") || "none"})`,
        terminal: true,
      };
    }
  }
  const scopes = new Set(resources.map((r) => (r.crd!.spec as { scope?: string }).scope));
  if (scopes.size > 1) {
    return {
      condition: "ExportsReady",
      reason: "DifferentScopes",
      message: `the requested resources differ in scope (${resources
        .map((r) => `${r.name}: ${(r.crd!.spec as { scope?: string }).scope}`)
        .join(", ")}); one request exports resources of one scope`,
      terminal: true,
    };
  }
  return undefined;
}

function servedVersions(crd: KubeObject): string[] {
  const versions = (crd.spec as { versions?: { name: string; served?: boolean }[] }).versions ?? [];
  return versions.filter((v) => v.served !== false).map((v) => v.name);
}

/** A resource's versions: as requested, else every version the CRD serves (spec §12.5). */
function versionsOf(r: { versions?: string[] }, crd: KubeObject): string[] {
  return r.versions && r.versions.length > 0 ? r.versions : servedVersions(crd);
}

function settingsOf(request: ExportRequest, defaults: ExportSettings): ExportSettings {
  const annotations = request.metadata.annotations ?? {};
  const scope = annotations[exportSettingAnnotations.informerScope];
  const isolation = annotations[exportSettingAnnotations.isolation];
  return {
    informerScope: scope === "Cluster" || scope === "Namespaced" ? scope : defaults.informerScope,
    isolation:
      isolation === "Prefixed" || isolation === "Namespaced" || isolation === "None"
        ? isolation
        : defaults.isolation,
  };
}

type OwnerReference = {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: true;
  blockOwnerDeletion: true;
} & Record<string, unknown>;

function controllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

function hasOwner(object: KubeObject, uid: string): boolean {
  return (object.metadata.ownerReferences ?? []).some((r) => r.uid === uid);
}

function boundSchema(
  name: string,
  namespace: string,
  spec: BoundSchemaSpec,
  hash: string,
  owner: OwnerReference | undefined,
): BoundSchema {
  return {
    apiVersion: kubeBindApiVersion,
    kind: "BoundSchema",
    metadata: {
      name,
      namespace,
      annotations: { [kubeBindKeys.sourceSpecHash]: hash },
      ...(owner ? { ownerReferences: [owner] } : {}),
    },
    spec,
  };
}

/** The request's current conditions, for callers that report them. */
export function requestCondition(
  request: ExportRequest,
  type: string,
): KubeBindCondition | undefined {
  return findCondition(request.status?.conditions, type);
}
