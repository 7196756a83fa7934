import { templateOf } from "../checks/check-claims.js";
import { indexRepository, type ExportInfo } from "../checks/repository-index.js";
import type { ManifestDocument } from "../core/manifest.js";
import { serviceBindingOf, type ServiceBinding } from "../core/service-binding.js";
import type { SourceMap } from "../manifests/source-map.js";
import type { ClaimPolicy } from "../policy/claim-policy.js";
import { loadPolicies } from "../policy/load-policies.js";
import { placePolicies } from "../policy/policy-placement.js";
import type { ReviewDocuments } from "./load-review-documents.js";

/** A ServiceBinding of one revision, with the template it resolves to there. */
export interface SideBinding {
  /** `<consumer>/<name>`: what a binding is known by across revisions. */
  key: string;
  document: ManifestDocument;
  view: ServiceBinding;
  /** As `validate` resolves it; undefined when it does not resolve. */
  template: ExportInfo | undefined;
}

/** An APIServiceExportTemplate of one revision. */
export interface SideTemplate {
  /** `<provider folder>/<name>`. */
  key: string;
  /** The folder under providers/ it lives in (`""` outside one). */
  provider: string;
  name: string;
  info: ExportInfo;
}

/** What a review compares of one revision. */
export interface ReviewSide {
  sources: SourceMap;
  bindings: Map<string, SideBinding>;
  templates: Map<string, SideTemplate>;
  /** The ServiceBinding documents, for the claim policies. */
  bindingDocuments: ManifestDocument[];
  /** The repository's own ClaimPolicies (its policies folder), to compare. */
  ownPolicies: ClaimPolicy[];
  /** Every policy in evaluation order, as `validate` applies them. */
  policies: ClaimPolicy[];
}

/** Documents of ClaimPolicy folders outside the repository. */
export interface ExtraPolicies {
  /** `--policy` folders: tried with the repository's own, in name order. */
  policies: readonly ManifestDocument[];
  /** bindops's shipped defaults: tried last. */
  defaults: readonly ManifestDocument[];
}

/**
 * The bindings, templates and claim policies of one revision, read the way `validate` reads them:
 * templates are found through the same repository index, and policies come from the policies
 * folder and `--policy` folders first, then the shipped defaults.
 */
export function reviewSideOf(loaded: ReviewDocuments, extra: ExtraPolicies): ReviewSide {
  const index = indexRepository(loaded.documents);
  const bindings = new Map<string, SideBinding>();
  for (const document of index.bindings) {
    const view = serviceBindingOf(document);
    if (view === undefined) continue;
    const key = `${view.consumer ?? ""}/${view.name}`;
    // A second binding of the same name for the same consumer is validate's to report.
    if (bindings.has(key)) continue;
    bindings.set(key, { key, document, view, template: templateOf(index, document) });
  }
  const templates = new Map<string, SideTemplate>();
  for (const info of index.templates) {
    if (info.name === undefined) continue;
    const provider = info.folder?.area === "providers" ? info.folder.name : "";
    const key = `${provider}/${info.name}`;
    if (!templates.has(key)) templates.set(key, { key, provider, name: info.name, info });
  }
  const placed = placePolicies(loaded.documents).policies;
  const own = loadPolicies(placed).policies;
  const policies = [
    ...loadPolicies([...placed, ...extra.policies]).policies,
    ...loadPolicies(extra.defaults).policies,
  ];
  return {
    sources: loaded.sources,
    bindings,
    templates,
    bindingDocuments: [...index.bindings],
    ownPolicies: own,
    policies,
  };
}
