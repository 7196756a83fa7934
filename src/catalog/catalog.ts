import type { ClaimDirection } from "../core/service-binding.js";
import type { PolicyEffect } from "../policy/claim-policy.js";
import type { Grade } from "../review/review.js";

/** The values of `catalog -o`. */
export const catalogFormats = ["text", "json", "markdown"] as const;
export type CatalogFormat = (typeof catalogFormats)[number];

/** Identifies the JSON output's shape; it changes only when the shape does. */
export const catalogJsonSchema = "bindops.dev/catalog/v1";

/** What a provider offers and who binds it: what `bindops catalog` prints. */
export interface Catalog {
  /** The git commit, or `working-tree` for a folder as it is. */
  revision: string;
  /** Where consumers' folders are, relative to the snapshot: `consumers/` by default. */
  consumersFolder: string;
  /** The clusters of role consumer in bindops.yaml. */
  consumerClusters: string[];
  /** Templates by provider folder, then name. */
  templates: CatalogTemplate[];
}

/** One APIServiceExportTemplate, as a consumer sees it in the catalog. */
export interface CatalogTemplate {
  /** `<provider folder>/<name>`: unique in the catalog. */
  id: string;
  name: string;
  /** The folder under providers/ it lives in (`""` outside one). */
  provider: string;
  /** The provider cluster a binding names in `spec.provider`, when the repository says which. */
  providerCluster?: string;
  /** Where it is written, relative to the repository. */
  file: string;
  line: number;
  description?: string;
  /** `spec.scope` of the template (`Namespaced` or `Cluster`), when set. */
  scope?: string;
  kinds: CatalogKind[];
  claims: CatalogClaim[];
  /** The strictest decision of the claim policies on its claims (`allow` when it has none). */
  verdict: PolicyEffect;
  /** The ServiceBindings of the repository that bind it. */
  bindings: CatalogBinding[];
  /** What to run to bind it: `bindops bind databases --consumer <team>`. */
  bindCommand: string;
  /** The ServiceBinding `bindops bind` writes by default, as YAML, for a consumer to copy. */
  snippet: string;
}

/** One resource a template exports, with what its CRD says about it. */
export interface CatalogKind {
  group: string;
  resource: string;
  /** From the CRD; absent when the repository has no CRD for it. */
  kind?: string;
  /** The versions the template exports (or, when it names none, the CRD's served ones). */
  versions: string[];
  shortNames: string[];
  categories: string[];
  /** `Namespaced` or `Cluster`, from the CRD. */
  scope?: string;
  /** The CRD schema's top-level description. */
  description?: string;
  /** `additionalPrinterColumns` of the first exported version: what `kubectl get` shows. */
  printerColumns: PrinterColumn[];
}

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  /** 0 shows in `kubectl get`; more only in `-o wide`. */
  priority: number;
}

/** One permission claim of a template: in words, graded, and judged by the claim policies. */
export interface CatalogClaim {
  group: string;
  resource: string;
  /** `Secrets`, `ConfigMaps`, `widgets.example.com`. */
  objects: string;
  /** How `bindops bind --claims` names it: the resource, with its group when not core. */
  id: string;
  direction: ClaimDirection;
  /** The claim in plain words, from the provider's side. */
  words: string;
  /** The grade `bindops review` gives the claim when the template asks for it. */
  grade: Grade;
  reasons: string[];
  /** The claim policies' decision when a binding accepts the claim whole, in no given namespaces. */
  policy: CatalogPolicyVerdict;
  /** The claim as the template writes it, with its direction spelled out: what a binding accepts. */
  written: Record<string, unknown>;
}

export interface CatalogPolicyVerdict {
  effect: PolicyEffect;
  /** Absent when no rule matched (allowed). */
  policy?: string;
  rule?: string;
  reason?: string;
}

/** A ServiceBinding of the template, and what the reconciler last observed of it. */
export interface CatalogBinding {
  name: string;
  /** The consumer cluster (`spec.consumer`). */
  consumer: string;
  /** The folder under consumers/ it lives in (the team's). */
  folder: string;
  file: string;
  namespaces: string[];
  /** The claims it accepts, in words, in its namespaces. */
  claims: { id: string; words: string }[];
  /** From `status/<consumer>/<binding>.yaml`; absent before the reconciler wrote one. */
  status?: CatalogBindingStatus;
}

export interface CatalogBindingStatus {
  /** `Pending`, `Requested`, `Bound`, `Synced`, `Failed` or `Suspended`. */
  phase: string;
  observedRevision?: string;
  /** The Ready condition. */
  ready?: { status: string; reason?: string; message?: string };
  file: string;
}
