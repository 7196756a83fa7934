import type { KubeObject } from "../core/kube-object.js";
import { bindopsKeys, bookkeepingAnnotations } from "./desired-state.js";
import { fieldDiff, type FieldChange } from "./field-diff.js";
import type { ObjectKey } from "./inventory.js";

/** What a reconcile would do with one object. */
export type PlanAction = "create" | "update" | "prune" | "unchanged";

/** The order actions are counted and shown in. */
export const planActions: readonly PlanAction[] = ["create", "update", "prune", "unchanged"];

/** One object of a cluster, and what a reconcile would do with it. */
export interface PlannedObject extends ObjectKey {
  action: PlanAction;
  /** `<consumer>/<binding>`: the binding the object is for. */
  binding?: string;
  /** For `update`: the fields that differ, in the object's order. */
  changes?: FieldChange[];
  /** The object is deleted and created again rather than changed in place (an immutable spec). */
  replace?: boolean;
  /** Why, where it is not plain: "git no longer has it", "suspended: ...", "onboarding ...". */
  reason?: string;
}

/** What a reconcile would do on one cluster, in the order it would do it. */
export interface ClusterPlan {
  cluster: string;
  role: "provider" | "consumer";
  /** Why the cluster could not be read; its objects are then unknown. */
  unreachable?: string;
  objects: PlannedObject[];
}

/** What a reconcile of a revision would do, cluster by cluster (DESIGN "plan"). */
export interface Plan {
  /** The content revision planned. */
  revision: string;
  /** Why the revision would be refused (it does not validate): then nothing would be applied. */
  refused?: string;
  /** Bindings a reconcile could not apply, and why (a missing template, an unreachable cluster). */
  blocked: { binding: string; reason: string }[];
  clusters: ClusterPlan[];
}

/** Options of {@link planObject}. */
export interface PlanObjectOptions {
  binding?: string;
  reason?: string;
  /** The live object would be deleted and created again, because `desired` differs from it. */
  replace?: boolean;
}

/**
 * What applying `desired` does to `live`: `create` when there is none, `update` with the fields
 * bindops manages that differ (the revision annotation, which every apply moves, is not a
 * difference), else `unchanged`.
 */
export function planObject(
  desired: KubeObject,
  live: KubeObject | undefined,
  options: PlanObjectOptions = {},
): PlannedObject {
  const key = {
    apiVersion: desired.apiVersion,
    kind: desired.kind,
    name: desired.metadata.name,
    ...(desired.metadata.namespace ? { namespace: desired.metadata.namespace } : {}),
    ...(options.binding ? { binding: options.binding } : {}),
  };
  const reason = options.reason ? { reason: options.reason } : {};
  if (!live) return { ...key, action: "create", ...reason };
  const changes = diffManaged(live, desired);
  if (changes.length === 0 && !options.replace) return { ...key, action: "unchanged", ...reason };
  return {
    ...key,
    action: "update",
    changes,
    ...(options.replace ? { replace: true } : {}),
    ...reason,
  };
}

/** The differences {@link planObject} and drift reporting look at: git's fields, minus bookkeeping. */
export function diffManaged(live: KubeObject, desired: KubeObject): FieldChange[] {
  return fieldDiff(live, desired, { ignoreAnnotations: bookkeepingAnnotations });
}

/**
 * The changes of {@link diffManaged} that someone made by hand: values another field manager set,
 * and, when the live object already carries this revision (bindops applied exactly this), any
 * field that differs from it.
 */
export function handEdits(
  changes: readonly FieldChange[],
  live: KubeObject,
  revision: string,
): FieldChange[] {
  const sameRevision = live.metadata.annotations?.[bindopsKeys.revision] === revision;
  return changes.filter((c) => c.op !== "remove" && (c.changedBy !== undefined || sameRevision));
}

/** `APIServiceBinding orders-db: spec.x (by kubectl-edit), metadata.labels["a"]`: for logs and status. */
export function describeHandEdits(object: ObjectKey, edits: readonly FieldChange[]): string {
  const fields = edits.map(
    (e) => `${e.path}${e.changedBy ? ` (by ${e.changedBy.join(", ")})` : ""}`,
  );
  return `${describeObject(object)}: ${fields.join(", ")}`;
}

/** `Kind namespace/name`. */
export function describeObject(object: ObjectKey): string {
  return `${object.kind} ${object.namespace ? `${object.namespace}/` : ""}${object.name}`;
}

/** How many objects each action touches, over all clusters. */
export function planCounts(plan: Plan): Record<PlanAction, number> {
  const counts: Record<PlanAction, number> = { create: 0, update: 0, prune: 0, unchanged: 0 };
  for (const cluster of plan.clusters) {
    for (const object of cluster.objects) counts[object.action]++;
  }
  return counts;
}

/** Whether a reconcile would change anything: an object to create, update or prune. */
export function planHasDifferences(plan: Plan): boolean {
  const counts = planCounts(plan);
  return counts.create + counts.update + counts.prune > 0;
}
