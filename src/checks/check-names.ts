import type { Finding } from "../core/finding.js";
import { objectMetaOf, type ManifestDocument } from "../core/manifest.js";
import { documentFinding } from "./document-finding.js";
import { asArray, asString, field } from "../core/lenient.js";
import type { RepositoryIndex } from "./repository-index.js";

const isolations = ["Prefixed", "Namespaced", "None"];

const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The length of a typical cluster namespace, the prefix `C` of provider namespaces: kube-bind's
 * default `kube-bind-` and 13 more characters. The real one is only known once the backend has
 * created it, so `name-too-long` is a warning computed with this length.
 */
export const typicalClusterNamespaceLength = "kube-bind-".length + 13;

/**
 * Names kube-bind turns into object names:
 * - `binding-invalid-isolation`: a ServiceBinding's isolation is not Prefixed, Namespaced or None;
 * - `name-invalid`: the names of templates, requests and ServiceBindings (which become request,
 *   export and APIServiceBinding names) must be DNS-1123 subdomains, `spec.namespaces[].name` DNS
 *   labels;
 * - `namespace-duplicate`: a name listed twice in `spec.namespaces`;
 * - `name-too-long` (warning): a namespace becomes `<C>-<name>` on the provider unless the
 *   isolation is None, which must stay within 63 characters; with a typical `C` of
 *   {@link typicalClusterNamespaceLength} characters. Templates do not know the isolation and are
 *   checked as if it were kube-bind's default, Prefixed.
 */
export function checkNames(index: RepositoryIndex): Finding[] {
  const findings: Finding[] = [];
  const checkObjectName = (document: ManifestDocument, kind: string) => {
    const { name } = objectMetaOf(document.value);
    if (name === undefined || isSubdomain(name)) return;
    findings.push(
      documentFinding(
        "name-invalid",
        document,
        "/metadata/name",
        `${kind} name "${name}" is not a DNS-1123 subdomain (at most 253 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit)`,
      ),
    );
  };
  const checkNamespaces = (document: ManifestDocument, prefixed: boolean) => {
    const seen = new Map<string, number>();
    asArray(field(document.value, "spec", "namespaces")).forEach((entry, i) => {
      const name = asString(field(entry, "name"));
      if (name === undefined) return;
      const pointer = `/spec/namespaces/${i}/name`;
      const first = seen.get(name);
      if (first !== undefined) {
        findings.push(
          documentFinding(
            "namespace-duplicate",
            document,
            pointer,
            `namespace "${name}" is listed twice (first at spec.namespaces[${first}]); kube-bind would create its APIServiceNamespace twice`,
          ),
        );
        return;
      }
      seen.set(name, i);
      if (!(name.length <= 63 && label.test(name))) {
        findings.push(
          documentFinding(
            "name-invalid",
            document,
            pointer,
            `namespace name "${name}" is not a DNS label (at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit)`,
          ),
        );
        return;
      }
      const length = typicalClusterNamespaceLength + 1 + name.length;
      if (prefixed && length > 63) {
        findings.push(
          documentFinding(
            "name-too-long",
            document,
            pointer,
            `namespace "${name}" becomes <cluster namespace>-${name} on the provider: ${length} characters with a typical cluster namespace of ${typicalClusterNamespaceLength} (kube-bind- and 13 more), over the limit of 63; keep it to ${62 - typicalClusterNamespaceLength} characters`,
          ),
        );
      }
    });
  };

  for (const template of index.templates) {
    checkObjectName(template.document, "APIServiceExportTemplate");
    checkNamespaces(template.document, true);
  }
  for (const request of index.requests) {
    checkObjectName(request.document, "APIServiceExportRequest");
    checkNamespaces(request.document, true);
  }
  for (const binding of index.bindings) {
    checkObjectName(binding, "ServiceBinding");
    const isolation = field(binding.value, "spec", "isolation");
    if (typeof isolation === "string" && !isolations.includes(isolation)) {
      findings.push(
        documentFinding(
          "binding-invalid-isolation",
          binding,
          "/spec/isolation",
          `isolation "${isolation}" is not one of ${isolations.join(", ")}`,
        ),
      );
    }
    checkNamespaces(binding, isolation !== "None");
  }
  return findings;
}

function isSubdomain(name: string): boolean {
  return name.length <= 253 && subdomain.test(name);
}
