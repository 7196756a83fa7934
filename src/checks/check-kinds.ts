import type { Finding } from "../core/finding.js";
import type { ManifestDocument } from "../core/manifest.js";
import { documentFinding } from "./document-finding.js";
import { knownKinds } from "./known-kinds.js";
import type { RepositoryIndex } from "./repository-index.js";

/**
 * Every document says what it is, and that is something `validate` knows: a built-in Kubernetes
 * kind, kube-bind's or bindops's, or a kind a CRD among the documents defines.
 * - `missing-type-meta`: no `apiVersion` or `kind` (or not non-empty strings);
 * - `unknown-kind`: none of the above (skipped with `ignoreUnknownKinds`);
 * - `unknown-version`: the kind is known, but not at this version (for a CRD's kind: the CRD does
 *   not serve it).
 */
export function checkKinds(
  index: RepositoryIndex,
  options: { ignoreUnknownKinds?: boolean },
): Finding[] {
  const defined = new Map<string, Map<string, Set<string>>>();
  for (const crd of index.crds) {
    if (crd.group === undefined || crd.kind === undefined) continue;
    const kinds = defined.get(crd.group) ?? new Map<string, Set<string>>();
    defined.set(crd.group, kinds);
    const served = kinds.get(crd.kind) ?? new Set<string>();
    kinds.set(crd.kind, served);
    for (const version of crd.versions) if (version.served) served.add(version.name);
  }

  const findings: Finding[] = [];
  index.documents.forEach((document, i) => {
    const type = index.facts[i]?.type;
    if (type === undefined || type.apiVersion === "" || type.kind === "") {
      findings.push(missingTypeMeta(document));
      return;
    }
    const builtin = knownKinds.get(type.group)?.get(type.kind);
    const served = defined.get(type.group)?.get(type.kind);
    if (builtin === undefined && served === undefined) {
      if (options.ignoreUnknownKinds) return;
      findings.push(
        documentFinding(
          "unknown-kind",
          document,
          "/kind",
          `unknown kind ${type.kind} (${type.apiVersion}): not a Kubernetes, kube-bind or bindops kind, and no CustomResourceDefinition among the files defines it`,
        ),
      );
      return;
    }
    if (builtin?.includes(type.version) !== true && served?.has(type.version) !== true) {
      const versions = new Set([...(builtin ?? []), ...(served ?? [])]);
      const by = served ? "its CustomResourceDefinition serves" : "known versions";
      findings.push(
        documentFinding(
          "unknown-version",
          document,
          "/apiVersion",
          `${type.kind} has no version ${type.version} (${by}: ${versions.size > 0 ? [...versions].join(", ") : "none"})`,
        ),
      );
    }
  });
  return findings;
}

function missingTypeMeta(document: ManifestDocument): Finding {
  const { apiVersion, kind } = document.value;
  const missing = [
    ...(typeof apiVersion === "string" && apiVersion !== "" ? [] : ["apiVersion"]),
    ...(typeof kind === "string" && kind !== "" ? [] : ["kind"]),
  ];
  const [only] = missing;
  const given = missing.length === 1 && only !== undefined && document.value[only] !== undefined;
  return documentFinding(
    "missing-type-meta",
    document,
    given ? `/${only}` : "",
    `the document has no ${missing.join(" and no ")}${given ? " (it must be a non-empty string)" : ""}, so nothing can tell what it is`,
  );
}
