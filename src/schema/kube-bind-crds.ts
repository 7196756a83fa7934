import type { ICustomResourceDefinition } from "kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition";
import { kubeBindGroup, kubeBindKinds } from "./kube-bind-kinds.js";
import { toStructuralSchema } from "./structural-schema.js";

/** A CustomResourceDefinition object (apiextensions.k8s.io/v1), as plain data. */
export type CustomResourceDefinition = ICustomResourceDefinition;

/**
 * The CRDs bindops installs for kube-bind's kinds (group kube-bind.io, version v1alpha2 served and
 * stored), generated from bindops's own schemas of those kinds: kube-bind's names, scopes,
 * categories, short names and printer columns (spec §1, §3), a status subresource, and a
 * structural schema. Labelled `app.kubernetes.io/managed-by: bindops`. A fresh copy every call.
 */
export function kubeBindCrds(): CustomResourceDefinition[] {
  return kubeBindKinds.map((kind) => ({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: `${kind.plural}.${kubeBindGroup}`,
      labels: { "app.kubernetes.io/managed-by": "bindops" },
    },
    spec: {
      group: kubeBindGroup,
      names: {
        kind: kind.kind,
        listKind: `${kind.kind}List`,
        plural: kind.plural,
        singular: kind.singular,
        ...(kind.shortNames.length > 0 ? { shortNames: [...kind.shortNames] } : {}),
        categories: [...kind.categories],
      },
      scope: kind.scope,
      versions: [
        {
          name: "v1alpha2",
          served: true,
          storage: true,
          schema: { openAPIV3Schema: toStructuralSchema(kind.schemas.v1alpha2) },
          subresources: { status: {} },
          additionalPrinterColumns: kind.printerColumns.map((column) => ({ ...column })),
        },
      ],
    },
  }));
}
