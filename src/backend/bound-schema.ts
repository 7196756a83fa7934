import { createHash } from "node:crypto";
import { canonicalJson } from "../core/canonical-json.js";
import type { KubeObject } from "../kube/kube-client.js";
import type { BoundSchemaSpec, InformerScope, Isolation } from "../core/kube-bind-objects.js";

interface CrdSpec {
  group: string;
  scope: "Cluster" | "Namespaced";
  names: BoundSchemaSpec["names"];
  versions: (Record<string, unknown> & { name: string })[];
  conversion?: Record<string, unknown>;
}

/** The fields of a CRD version a BoundSchema carries (spec §3.5). */
const versionFields = [
  "name",
  "served",
  "storage",
  "deprecated",
  "deprecationWarning",
  "schema",
  "subresources",
  "additionalPrinterColumns",
] as const;

/**
 * A BoundSchema's spec made from an exported CRD, as kube-bind's backend makes it: every version
 * of the CRD (whatever the request lists), each `schema` kept in its `{openAPIV3Schema}` wrapper,
 * the consumer-side `informerScope`, and the scope turned to `Cluster` when namespaced objects are
 * isolated into the cluster namespace (`Namespaced` isolation).
 */
export function boundSchemaSpec(
  crd: KubeObject,
  options: { informerScope: InformerScope; isolation: Isolation },
): BoundSchemaSpec {
  const spec = crd.spec as CrdSpec;
  const scope =
    options.isolation === "Namespaced" && spec.scope === "Namespaced" ? "Cluster" : spec.scope;
  return {
    informerScope: options.informerScope,
    group: spec.group,
    names: spec.names,
    scope,
    versions: spec.versions.map((v) =>
      Object.fromEntries(versionFields.flatMap((k) => (v[k] === undefined ? [] : [[k, v[k]]]))),
    ),
    ...(spec.conversion ? { conversion: spec.conversion } : {}),
  };
}

/**
 * SHA-256 (hex) of a spec in canonical JSON (keys sorted): the `kube-bind.io/source-spec-hash`
 * of a BoundSchema. Canonical, so the same schema always gives the same hash whatever order its
 * YAML was written in.
 */
export function specHash(spec: unknown): string {
  return createHash("sha256").update(canonicalJson(spec)).digest("hex");
}

/** The hash over several specs, in the given order: an export's `source-spec-hash`. */
export function specsHash(specs: readonly unknown[]): string {
  const hash = createHash("sha256");
  for (const spec of specs) hash.update(canonicalJson(spec));
  return hash.digest("hex");
}
