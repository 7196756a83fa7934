import { asRecord } from "../core/lenient.js";
import type { BoundSchema } from "../core/kube-bind-objects.js";
import type { KubeObject } from "../core/kube-object.js";

/** The APIServiceBinding an owned CRD points at. */
export interface BindingOwner {
  name: string;
  uid: string;
}

/**
 * The consumer CRD for a BoundSchema (spec §6.5): named `<plural>.<group>`, its group, names, scope,
 * versions and conversion copied, each version's `schema` unwrapped from `{openAPIV3Schema}` when
 * it is wrapped (else taken as the bare schema), `subresources` always present, and a controller
 * ownerReference to the binding so that deleting the binding removes the CRD.
 */
export function consumerCrd(schema: BoundSchema, owner: BindingOwner): KubeObject {
  const { group, names, scope, versions, conversion } = schema.spec;
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: `${names.plural}.${group}`,
      ownerReferences: [bindingOwnerReference(owner)],
    },
    spec: {
      group,
      names,
      scope,
      versions: versions.map((version) => {
        const wrapped = asRecord(asRecord(version.schema)?.openAPIV3Schema);
        const schemaOf = wrapped ?? asRecord(version.schema) ?? { type: "object" };
        return {
          ...version,
          schema: { openAPIV3Schema: schemaOf },
          subresources: version.subresources ?? {},
        };
      }),
      ...(conversion ? { conversion } : {}),
    },
  };
}

export function bindingOwnerReference(owner: BindingOwner): Record<string, unknown> {
  return {
    apiVersion: "kube-bind.io/v1alpha2",
    kind: "APIServiceBinding",
    name: owner.name,
    uid: owner.uid,
    controller: true,
  };
}

/**
 * Whether a CRD is owned by the binding, as kube-bind checks: an ownerReference of group
 * `kube-bind.io`, kind `APIServiceBinding`, the binding's name and (when known) uid.
 */
export function ownedByBinding(crd: KubeObject, owner: BindingOwner): boolean {
  return (crd.metadata.ownerReferences ?? []).some(
    (ref) =>
      typeof ref.apiVersion === "string" &&
      ref.apiVersion.startsWith("kube-bind.io/") &&
      ref.kind === "APIServiceBinding" &&
      ref.name === owner.name &&
      (!owner.uid || ref.uid === owner.uid),
  );
}

/** The version objects are synced in: the BoundSchema's first served version (spec §6.6). */
export function syncVersion(schema: BoundSchema): string | undefined {
  const served = schema.spec.versions.find((v) => v.served !== false);
  return typeof served?.name === "string" ? served.name : undefined;
}
