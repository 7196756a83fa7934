import { bindopsGroup } from "../core/kube-groups.js";
import type { Finding } from "../core/finding.js";
import { asRecord, asString } from "../core/lenient.js";
import { typeMetaOf, type ManifestDocument } from "../core/manifest.js";
import { claimPolicyApiVersion } from "./claim-policy.js";

/** The policies folder of a repository: `spec.paths.policies` of bindops.yaml, else `policies`. */
export function policiesFolder(documents: readonly ManifestDocument[]): string {
  const repository = documents.find((d) => {
    const type = typeMetaOf(d.value);
    return type?.group === bindopsGroup && type.kind === "Repository";
  });
  const configured = asString(asRecord(asRecord(repository?.value.spec)?.paths)?.policies);
  const folder = (configured ?? "policies").replace(/^\.\//, "").replace(/\/+$/, "");
  const base = repository ? repository.file.split("/").slice(0, -1).join("/") : "";
  return base ? `${base}/${folder}` : folder;
}

/**
 * Splits a repository's ClaimPolicy documents into those in its policies folder, which are
 * obeyed, and those anywhere else, which are errors and never evaluated: a policy next to a
 * team's bindings would let that team approve its own claims.
 */
export function placePolicies(documents: readonly ManifestDocument[]): {
  policies: ManifestDocument[];
  findings: Finding[];
} {
  const folder = policiesFolder(documents);
  const policies: ManifestDocument[] = [];
  const findings: Finding[] = [];
  for (const document of documents) {
    const type = typeMetaOf(document.value);
    if (type?.apiVersion !== claimPolicyApiVersion || type.kind !== "ClaimPolicy") continue;
    if (document.file.startsWith(`${folder}/`)) {
      policies.push(document);
      continue;
    }
    findings.push({
      severity: "error",
      rule: "policy-outside-policies-folder",
      message: `ClaimPolicy outside ${folder}/ is not applied: claim policies live only in ${folder}/ (or a --policy folder), where their reviewers are`,
      location: { file: document.file, document: document.index, pointer: "/kind" },
    });
  }
  return { policies, findings };
}
