import type { Finding } from "../core/finding.js";
import { canonicalJson } from "../core/canonical-json.js";
import type { ManifestDocument } from "../core/manifest.js";
import { documentFinding } from "./document-finding.js";
import { asString, field } from "../core/lenient.js";
import { bindopsGroup, kubeBindGroup } from "../core/kube-groups.js";
import type { RepositoryIndex } from "./repository-index.js";

/**
 * `duplicate-object`: two documents with the same API group, kind, namespace and name for the
 * same cluster and different contents, reported on the second. The version is not part of the
 * identity: `v1alpha1` and `v1alpha2` of a kind are the same object. The same contents twice
 * apply as one object, as when several example files each carry the Namespace they use.
 * bindops knows the cluster only inside its provider and consumer folders and for its own and
 * kube-bind's kinds; elsewhere two files may go to different clusters, and a second definition in
 * another file is `duplicate-object-elsewhere` (warning, naming both places); in one file it is
 * an error still.
 */
export function checkDuplicates(index: RepositoryIndex): Finding[] {
  const first = new IdentityMap();
  const findings: Finding[] = [];
  const scopes = new Map<string, string>();
  index.documents.forEach((document, i) => {
    const facts = index.facts[i];
    const type = facts?.type;
    const name = facts?.name;
    if (type === undefined || name === undefined || name === "") return;
    const namespace = facts?.namespace;
    const isBinding = type.group === bindopsGroup && type.kind === "ServiceBinding";
    let scope = isBinding ? bindingScope(index, document) : undefined;
    if (scope === undefined) {
      const own = ownGroups.has(type.group);
      const key = own ? `\0${document.file}` : document.file;
      scope = scopes.get(key);
      if (scope === undefined) {
        scope = fileScope(index, document.file, type.group);
        scopes.set(key, scope);
      }
    }
    const earlier = first.firstOf([scope, type.group, type.kind, namespace ?? "", name], document);
    if (earlier === undefined) return;
    if (canonicalJson(earlier.value) === canonicalJson(document.value)) return;
    const what = `${type.kind} ${namespace ? `${namespace}/` : ""}${name}`;
    // Outside bindops's folders, two files may well go to different clusters (Flux or Argo CD
    // layouts, overlays, separate examples): only one file applying both is sure to collide.
    const sure = scope !== unknownCluster || earlier.file === document.file;
    findings.push(
      documentFinding(
        sure ? "duplicate-object" : "duplicate-object-elsewhere",
        document,
        "/metadata/name",
        sure
          ? `${what} is defined twice; first at ${earlier.file}:${earlier.line}`
          : `${what} is also defined at ${earlier.file}:${earlier.line}, with other contents; an error if both are applied to one cluster`,
      ),
    );
  });
  return findings;
}

/** The scope of objects whose cluster bindops cannot tell (files outside its folders). */
const unknownCluster = "\0unknown cluster";
const ownGroups = new Set([bindopsGroup, kubeBindGroup]);

/** Documents by identity, one map per part, so that no key is built per document. */
class IdentityMap {
  readonly #root = new Map<string, unknown>();

  /** The document first recorded under `parts`, or `undefined` after recording `document`. */
  firstOf(parts: readonly string[], document: ManifestDocument): ManifestDocument | undefined {
    let map = this.#root;
    for (let i = 0; i < parts.length - 1; i++) {
      let next = map.get(parts[i]!) as Map<string, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        map.set(parts[i]!, next);
      }
      map = next;
    }
    const last = parts[parts.length - 1]!;
    const earlier = map.get(last) as ManifestDocument | undefined;
    if (earlier === undefined) map.set(last, document);
    return earlier;
  }
}

/** A ServiceBinding belongs to its consumer cluster, when it names one. */
function bindingScope(index: RepositoryIndex, document: ManifestDocument): string | undefined {
  const consumer = asString(field(document.value, "spec", "consumer"));
  if (consumer === undefined) return undefined;
  const root = index.layoutOf(document.file).repository?.root ?? "";
  return `${root}consumer:${consumer}`;
}

/**
 * Which objects can collide: those for the same cluster. A folder named after a cluster holds
 * that cluster's objects; other folders under providers/ (or consumers/, status/) are named after
 * services or teams and may share a cluster.
 */
function fileScope(index: RepositoryIndex, file: string, group: string): string {
  const root = index.layoutOf(file).repository?.root ?? "";
  const folder = index.folderOf(file);
  // bindops's and kube-bind's own objects are applied by bindops, wherever they are written.
  if (folder === undefined) return ownGroups.has(group) ? root : unknownCluster;
  return folder.isCluster ? folder.prefix : `${root}${folder.area}`;
}
