import { kubeObjectOf, type KubeObject } from "../core/kube-object.js";
import type { ManifestDocument } from "../core/manifest.js";
import { serviceBindingOf, type ServiceBinding } from "../core/service-binding.js";

/** What the reconciler needs of a validated repository, per cluster. */
export interface RepositoryModel {
  /** Cluster name → role, from bindops.yaml. */
  clusters: ReadonlyMap<string, "provider" | "consumer">;
  /** Per provider cluster: the CRDs and templates to apply there. */
  providers: ReadonlyMap<string, ProviderContent>;
  bindings: readonly ModelBinding[];
  /** Where status files go (`spec.paths.status`, default `status`). */
  statusPath: string;
  /** `spec.status.author` of bindops.yaml, if set. */
  statusAuthor: string | undefined;
}

export interface ProviderContent {
  crds: KubeObject[];
  /** APIServiceExportTemplates by name. */
  templates: Map<string, KubeObject>;
}

export interface ModelBinding extends ServiceBinding {
  provider: string;
  consumer: string;
  template: string;
  /** The binding's whole document, for fields the typed view leaves out (`suspend`). */
  suspend: boolean;
  /** The claims as written in the binding (kube-bind's wire shape, without bindops's `direction`). */
  rawClaims: Record<string, unknown>[];
}

/**
 * The repository as the reconciler sees it, from documents that passed validation: the
 * `Repository` (bindops.yaml), each provider folder's CRDs and templates assigned to its provider
 * cluster (a folder named after a provider cluster is that cluster's; a folder named after a
 * service belongs to the repository's one provider cluster), and the ServiceBindings.
 */
export function repositoryModel(documents: readonly ManifestDocument[]): RepositoryModel {
  const repository = documents.find(
    (d) => d.value.kind === "Repository" && String(d.value.apiVersion).startsWith("bindops.dev/"),
  );
  const spec = (repository?.value.spec ?? {}) as {
    clusters?: Record<string, { role?: string }>;
    paths?: { providers?: string; status?: string };
    status?: { author?: string };
  };
  const clusters = new Map<string, "provider" | "consumer">();
  for (const [name, entry] of Object.entries(spec.clusters ?? {})) {
    if (entry.role === "provider" || entry.role === "consumer") clusters.set(name, entry.role);
  }
  const providerClusters = [...clusters].filter(([, r]) => r === "provider").map(([n]) => n);
  const providersPrefix = `${trimSlashes(spec.paths?.providers ?? "providers")}/`;
  const providers = new Map<string, ProviderContent>();
  const providerOf = (file: string): string | undefined => {
    if (!file.startsWith(providersPrefix)) return undefined;
    const folder = file.slice(providersPrefix.length).split("/")[0] ?? "";
    if (clusters.get(folder) === "provider") return folder;
    return providerClusters.length === 1 ? providerClusters[0] : undefined;
  };
  const bindings: ModelBinding[] = [];
  for (const document of documents) {
    const kind = document.value.kind;
    if (kind === "ServiceBinding") {
      const binding = modelBinding(document);
      if (binding) bindings.push(binding);
      continue;
    }
    if (kind !== "CustomResourceDefinition" && kind !== "APIServiceExportTemplate") continue;
    const provider = providerOf(document.file);
    const object = kubeObjectOf(document.value);
    if (provider === undefined || object === undefined) continue;
    let content = providers.get(provider);
    if (!content) {
      content = { crds: [], templates: new Map() };
      providers.set(provider, content);
    }
    if (kind === "CustomResourceDefinition") content.crds.push(object);
    else content.templates.set(object.metadata.name, object);
  }
  return {
    clusters,
    providers,
    bindings: bindings.sort((a, b) =>
      `${a.consumer}/${a.name}` < `${b.consumer}/${b.name}` ? -1 : 1,
    ),
    statusPath: trimSlashes(spec.paths?.status ?? "status"),
    statusAuthor: spec.status?.author,
  };
}

function modelBinding(document: ManifestDocument): ModelBinding | undefined {
  const binding = serviceBindingOf(document);
  if (!binding?.provider || !binding.consumer || !binding.template) return undefined;
  const s = (document.value.spec ?? {}) as { suspend?: unknown; permissionClaims?: unknown };
  return {
    ...binding,
    provider: binding.provider,
    consumer: binding.consumer,
    template: binding.template,
    suspend: s.suspend === true,
    rawClaims: Array.isArray(s.permissionClaims)
      ? (s.permissionClaims as Record<string, unknown>[])
      : [],
  };
}

function trimSlashes(path: string): string {
  return path.replace(/^\.\//, "").replace(/\/+$/, "");
}
