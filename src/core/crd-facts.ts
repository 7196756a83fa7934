import { documentFacts } from "./document-facts.js";
import { exportedLabel } from "./kube-groups.js";
import { asArray, asRecord, asString, field } from "./lenient.js";
import type { ManifestDocument } from "./manifest.js";

/** One entry of a CRD's `spec.versions` (or its legacy `spec.version`). */
export interface CrdVersionFacts {
  name: string;
  /** `false` only when it says so: a version without `served` is the CRD's schema finding. */
  served: boolean;
  storage: boolean;
  /** `schema.openAPIV3Schema`, when it is a mapping. */
  schema: Record<string, unknown> | undefined;
}

/**
 * What validate knows of a CustomResourceDefinition: read once per document and shared by the
 * schema registry (which kinds and versions exist) and the checks (cross-references). Read
 * leniently: a field of the wrong type is absent, for the CRD's own schema check to report.
 */
export interface CrdFacts {
  document: ManifestDocument;
  /** `metadata.name`. */
  name: string | undefined;
  group: string | undefined;
  plural: string | undefined;
  kind: string | undefined;
  /** `spec.scope`: `Namespaced` or `Cluster` (the API server requires it; no default). */
  scope: string | undefined;
  /** Whether it carries `kube-bind.io/exported: "true"`. */
  exported: boolean;
  versions: readonly CrdVersionFacts[];
}

/** The facts of a CustomResourceDefinition document. */
export function crdFactsOf(document: ManifestDocument): CrdFacts {
  const spec = asRecord(document.value.spec);
  const names = asRecord(spec?.names);
  const listed = Array.isArray(spec?.versions)
    ? spec.versions
    : typeof spec?.version === "string"
      ? [{ name: spec.version, served: true, storage: true }]
      : [];
  const versions: CrdVersionFacts[] = [];
  for (const entry of asArray(listed)) {
    const name = asString(field(entry, "name"));
    if (name === undefined) continue;
    versions.push({
      name,
      served: field(entry, "served") !== false,
      storage: field(entry, "storage") === true,
      schema: asRecord(field(entry, "schema", "openAPIV3Schema")),
    });
  }
  return {
    document,
    name: documentFacts(document.value).name,
    group: asString(spec?.group),
    plural: asString(names?.plural),
    kind: asString(names?.kind),
    scope: asString(spec?.scope),
    exported: field(document.value, "metadata", "labels", exportedLabel) === "true",
    versions,
  };
}
