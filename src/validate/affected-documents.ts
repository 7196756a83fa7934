import { kubeBindGroup } from "../core/kube-groups.js";
import type { ManifestDocument } from "../core/manifest.js";
import type { DocumentFacts } from "../core/document-facts.js";

/** `file#index`, the identity of a document within one validate run. */
export const documentKey = (document: Pick<ManifestDocument, "file" | "index">): string =>
  `${document.file}#${document.index}`;

const builtInGroups = /(^|\.)k8s\.io$|^(apps|batch|policy|autoscaling)$|^$/;

/**
 * The names a document is known by (`provides`) and the names it points at (`uses`), as far as
 * `validate` follows references: a ServiceBinding uses its template, the repository file and the
 * claim policies; a template uses the CRDs of its resources; a custom resource uses its CRD.
 */
function edgesOf(
  document: ManifestDocument,
  facts: DocumentFacts | undefined,
): { provides: string[]; uses: string[] } {
  const type = facts?.type;
  if (!type) return { provides: [], uses: [] };
  // Read only for the kinds below that have edges: other documents may not be parsed here.
  const spec = () => document.value.spec as Record<string, unknown> | undefined;
  const name = facts.name;
  const resources = (value: unknown): string[] =>
    Array.isArray(value)
      ? value.flatMap((r: unknown) => {
          const entry = r as { group?: unknown; resource?: unknown } | null;
          return typeof entry?.resource === "string"
            ? [`crd:${typeof entry.group === "string" ? entry.group : ""}/${entry.resource}`]
            : [];
        })
      : [];

  switch (`${type.group}/${type.kind}`) {
    case "apiextensions.k8s.io/CustomResourceDefinition": {
      const crd = spec();
      const names = (crd?.names ?? {}) as { plural?: unknown; kind?: unknown };
      const group = typeof crd?.group === "string" ? crd.group : "";
      return {
        provides: [`crd:${group}/${String(names.plural)}`, `kind:${group}/${String(names.kind)}`],
        uses: [],
      };
    }
    case "kube-bind.io/APIServiceExportTemplate": {
      const template = spec();
      const claims = Array.isArray(template?.permissionClaims) ? template.permissionClaims : [];
      const referenced = claims.flatMap((claim: unknown) =>
        resources((claim as { selector?: { references?: unknown } } | null)?.selector?.references),
      );
      return {
        provides: name ? [`template:${name}`] : [],
        uses: [...resources(template?.resources), ...referenced],
      };
    }
    case "bindops.dev/ServiceBinding": {
      const template = spec()?.template;
      return {
        provides: [],
        uses: [
          "repository",
          "policies",
          ...(typeof template === "string" ? [`template:${template}`] : []),
        ],
      };
    }
    case "bindops.dev/Repository":
      return { provides: ["repository"], uses: [] };
    case "bindops.dev/ClaimPolicy":
      return { provides: ["policies"], uses: [] };
    default:
      return builtInGroups.test(type.group) || type.group === kubeBindGroup
        ? { provides: [], uses: [] }
        : { provides: [], uses: [`kind:${type.group}/${type.kind}`] };
  }
}

/**
 * The documents `validate --changed-since` reports on: those in changed files, everything they
 * reference (transitively: a binding's template and that template's CRDs), and everything that
 * references them (transitively: a CRD's templates and those templates' bindings, its custom
 * resources). `facts` are the documents' facts, in their order. Returns document keys
 * (`documentKey`).
 */
export function affectedDocuments(
  documents: readonly ManifestDocument[],
  facts: readonly DocumentFacts[],
  changedFiles: ReadonlySet<string>,
): Set<string> {
  const edges = documents.map((document, i) => edgesOf(document, facts[i]));
  const providers = new Map<string, number[]>();
  const users = new Map<string, number[]>();
  const add = (map: Map<string, number[]>, key: string, i: number) => {
    const list = map.get(key);
    if (list) list.push(i);
    else map.set(key, [i]);
  };
  edges.forEach((e, i) => {
    for (const key of e.provides) add(providers, key, i);
    for (const key of e.uses) add(users, key, i);
  });

  const seeds = documents.flatMap((d, i) => (changedFiles.has(d.file) ? [i] : []));
  const affected = new Set<number>(seeds);
  // Walk each direction separately: following "uses" then "provides" would join siblings that
  // merely share a dependency (every binding shares the repository file).
  const walk = (next: (i: number) => number[]) => {
    const queue = [...seeds];
    const seen = new Set(seeds);
    while (queue.length > 0) {
      for (const j of next(queue.pop()!)) {
        if (seen.has(j)) continue;
        seen.add(j);
        affected.add(j);
        queue.push(j);
      }
    }
  };
  walk((i) => edges[i]!.uses.flatMap((key) => providers.get(key) ?? []));
  walk((i) => edges[i]!.provides.flatMap((key) => users.get(key) ?? []));
  return new Set([...affected].map((i) => documentKey(documents[i]!)));
}
