import type { Finding } from "../core/finding.js";
import { objectMetaOf, typeMetaOf, type ManifestDocument } from "../core/manifest.js";
import { documentFinding } from "./document-finding.js";
import { asString, field } from "./lenient.js";
import { bindopsGroup, isKind, type RepositoryIndex } from "./repository-index.js";

/**
 * `duplicate-object`: two documents with the same API group, kind, namespace and name for the
 * same cluster and different contents, reported on the second. The version is not part of the
 * identity: `v1alpha1` and `v1alpha2` of a kind are the same object. The same contents twice
 * apply as one object, as when several example files each carry the Namespace they use.
 */
export function checkDuplicates(index: RepositoryIndex): Finding[] {
  const first = new Map<string, ManifestDocument>();
  const findings: Finding[] = [];
  for (const document of index.documents) {
    const type = typeMetaOf(document.value);
    const { name, namespace } = objectMetaOf(document.value);
    if (type === undefined || name === undefined || name === "") continue;
    const scope = scopeOf(index, document);
    const key = JSON.stringify([scope, type.group, type.kind, namespace ?? "", name]);
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, document);
      continue;
    }
    if (canonical(earlier.value) === canonical(document.value)) continue;
    const what = `${type.kind} ${namespace ? `${namespace}/` : ""}${name}`;
    findings.push(
      documentFinding(
        "duplicate-object",
        document,
        "/metadata/name",
        `${what} is defined twice; first at ${earlier.file}:${earlier.line}`,
      ),
    );
  }
  return findings;
}

/**
 * Which objects can collide: those for the same cluster. A ServiceBinding belongs to its consumer;
 * a folder named after a cluster holds that cluster's objects; other folders under providers/
 * (or consumers/, status/) are named after services or teams and may share a cluster.
 */
function scopeOf(index: RepositoryIndex, document: ManifestDocument): string {
  const layout = index.layoutOf(document.file);
  const root = layout.repository?.root ?? "";
  if (isKind(document, bindopsGroup, "ServiceBinding")) {
    const consumer = asString(field(document.value, "spec", "consumer"));
    if (consumer !== undefined) return `${root}consumer:${consumer}`;
  }
  const folder = index.folderOf(document.file);
  if (folder === undefined) return root;
  return folder.isCluster ? folder.prefix : `${root}${folder.area}`;
}

/** JSON with sorted keys, so that key order does not make two equal objects differ. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
