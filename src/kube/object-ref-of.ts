import type { KubeObject } from "../core/kube-object.js";
import type { ObjectRef } from "./kube-client.js";

/** The reference that names an object: its apiVersion, kind, name and namespace if any. */
export function objectRefOf(object: KubeObject): ObjectRef {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name,
    ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
  };
}
