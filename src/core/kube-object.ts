import { asRecord } from "./lenient.js";

/** Metadata of a Kubernetes object, as far as bindops reads it; other fields pass through. */
export interface KubeObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
  ownerReferences?: Record<string, unknown>[];
  managedFields?: ManagedFieldsEntry[];
  [key: string]: unknown;
}

/** One entry of `metadata.managedFields`: who owns which fields (server-side apply). */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: "Apply" | "Update";
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

/** Any Kubernetes object as plain JSON: what a manifest holds and an API server sends and accepts. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeObjectMeta;
  [key: string]: unknown;
}

/**
 * The value as a {@link KubeObject} when it has one (a non-empty `apiVersion`, `kind` and
 * `metadata.name`), else `undefined`: the one place plain data becomes an object to apply.
 */
export function kubeObjectOf(value: unknown): KubeObject | undefined {
  const object = asRecord(value);
  const metadata = asRecord(object?.metadata);
  if (object === undefined || metadata === undefined) return undefined;
  const { apiVersion, kind } = object;
  const { name } = metadata;
  if (typeof apiVersion !== "string" || apiVersion === "") return undefined;
  if (typeof kind !== "string" || kind === "") return undefined;
  if (typeof name !== "string" || name === "") return undefined;
  return { ...object, apiVersion, kind, metadata: { ...metadata, name } };
}
