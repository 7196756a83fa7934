import { crdFactsOf, type CrdFacts } from "../core/crd-facts.js";
import { permissionClaimOf, type PermissionClaim } from "../core/service-binding.js";
import { bindopsGroup, crdGroup, kubeBindGroup } from "../core/kube-groups.js";
import type { ManifestDocument } from "../core/manifest.js";
import { documentFacts, type DocumentFacts } from "../core/document-facts.js";
import { asArray, asNonBlank, asRecord, asString, asStringArray, field } from "../core/lenient.js";

/** A `bindops.yaml` (kind Repository) and the folders it sets. */
export interface RepositoryInfo {
  document: ManifestDocument;
  /** The folder of bindops.yaml, `""` at the root or ending in `/`. */
  root: string;
  /** Cluster name → its role, when the role is a string. */
  clusters: ReadonlyMap<string, { role: string | undefined }>;
}

/** Where providers' and consumers' folders are, for the files under one bindops.yaml. */
export interface Layout {
  repository: RepositoryInfo | undefined;
  /** e.g. `providers/`, or `sub/providers/` for a bindops.yaml in `sub/`. */
  providersPrefix: string;
  consumersPrefix: string;
  statusPrefix: string;
}

/** The folder of one provider or consumer (`providers/<name>/`) a file lives in. */
export interface ClusterFolder {
  area: "providers" | "consumers" | "status";
  /** The folder's name: a cluster's, or a service's or team's when it is none. */
  name: string;
  /** e.g. `providers/dbaas/`. */
  prefix: string;
  /** Whether bindops.yaml has a cluster of that name, so the folder holds that cluster's objects. */
  isCluster: boolean;
}

/** One `spec.resources` entry of a template or request. */
export interface ExportResource {
  group: string;
  resource: string;
  /** Undefined when absent or not a list. */
  versions: string[] | undefined;
  pointer: string;
}

/** An APIServiceExportTemplate or APIServiceExportRequest, read leniently. */
export interface ExportInfo {
  document: ManifestDocument;
  kind: "APIServiceExportTemplate" | "APIServiceExportRequest";
  name: string | undefined;
  folder: ClusterFolder | undefined;
  resources: readonly ExportResource[];
  /** `spec.permissionClaims`, typed, one per entry. */
  claims: readonly PermissionClaim[];
}

/** The outcome of {@link RepositoryIndex.findTemplate}. */
export interface TemplateLookup {
  template: ExportInfo | undefined;
  /** Templates of that name that do not count, or that are `ambiguous`. */
  elsewhere: readonly ExportInfo[];
  ambiguous: boolean;
  /** Where it looked, for messages: `providers/provider/`, `providers/` or `the files validated`. */
  searched: string;
}

/** What the checks look up across documents, built once per run. */
export interface RepositoryIndex {
  documents: readonly ManifestDocument[];
  /** The type and name of each document, in the order of `documents`. */
  facts: readonly DocumentFacts[];
  repositories: readonly RepositoryInfo[];
  crds: readonly CrdFacts[];
  templates: readonly ExportInfo[];
  requests: readonly ExportInfo[];
  bindings: readonly ManifestDocument[];
  collections: readonly ManifestDocument[];
  /** The layout of the nearest bindops.yaml above `file`, or the default layout. */
  layoutOf(file: string): Layout;
  /** The provider, consumer or status folder `file` lives in, if any. */
  folderOf(file: string): ClusterFolder | undefined;
  /**
   * The CRD `<resource>.<group>` that an export in `fromFile` resolves to, from the same folder
   * first, then from outside every providers folder (e.g. `--crd-dir`). A folder named after a
   * cluster holds all of that cluster's CRDs; from any other folder (named after a service), the
   * CRDs of the other such folders count too, as they may go to the same cluster.
   * `elsewhere` lists the same-named CRDs that do not count, for the message.
   */
  findCrd(
    group: string,
    resource: string,
    fromFile: string,
  ): { crd: CrdFacts | undefined; elsewhere: readonly CrdFacts[] };
  /**
   * The template `name` of the provider cluster `provider` for a binding in `fromFile`: one in
   * `providers/<provider>/`. When there is no such folder, the one template of that name in the
   * folders not named after another cluster (a repository with one provider whose folders are
   * named after services), or in any file when no template is under a providers folder (loose
   * examples). Several candidates are `ambiguous`.
   */
  findTemplate(name: string, provider: string, fromFile: string): TemplateLookup;
}

/** The groups whose kinds the index lists. */
const indexedGroups = new Set([bindopsGroup, kubeBindGroup, crdGroup]);

/** Options of {@link indexRepository}. */
export interface IndexOptions {
  /**
   * The facts of the documents, in their order, when the caller has them already (read as the
   * documents were parsed); computed from the documents otherwise.
   */
  facts?: readonly DocumentFacts[];
  /** The facts of the CRDs among the documents, when the caller has read them already. */
  crds?: readonly CrdFacts[];
}

/** Builds the lookups the checks share. */
export function indexRepository(
  documents: readonly ManifestDocument[],
  options: IndexOptions = {},
): RepositoryIndex {
  const facts = options.facts ?? documents.map((d) => documentFacts(d.value));
  const byKind = new Map<string, ManifestDocument[]>();
  documents.forEach((document, i) => {
    const type = facts[i]?.type;
    if (type === undefined || !indexedGroups.has(type.group)) return;
    const key = `${type.group}/${type.kind}`;
    const list = byKind.get(key);
    if (list === undefined) byKind.set(key, [document]);
    else list.push(document);
  });
  const ofKind = (group: string, kind: string) => byKind.get(`${group}/${kind}`) ?? [];

  const repositories = ofKind(bindopsGroup, "Repository")
    .map(repositoryInfo)
    // Nearest first: the deepest root that is a prefix of a file wins.
    .sort((a, b) => b.root.length - a.root.length);

  const layouts = new Map<RepositoryInfo | undefined, Layout>();
  const layoutOf = (file: string): Layout => {
    const repository = repositories.find((r) => file.startsWith(r.root));
    let layout = layouts.get(repository);
    if (layout === undefined) {
      const root = repository?.root ?? "";
      const paths = repository ? asRecord(field(repository.document.value, "spec", "paths")) : {};
      layout = {
        repository,
        providersPrefix: root + folder(paths?.providers, "providers"),
        consumersPrefix: root + folder(paths?.consumers, "consumers"),
        statusPrefix: root + folder(paths?.status, "status"),
      };
      layouts.set(repository, layout);
    }
    return layout;
  };
  const folders = new Map<string, ClusterFolder | undefined>();
  const folderOf = (file: string): ClusterFolder | undefined => {
    if (folders.has(file)) return folders.get(file);
    const folder = findFolder(file);
    folders.set(file, folder);
    return folder;
  };
  const findFolder = (file: string): ClusterFolder | undefined => {
    const layout = layoutOf(file);
    const areas = [
      ["providers", layout.providersPrefix],
      ["consumers", layout.consumersPrefix],
      ["status", layout.statusPrefix],
    ] as const;
    for (const [area, prefix] of areas) {
      if (!file.startsWith(prefix)) continue;
      const slash = file.indexOf("/", prefix.length);
      if (slash <= prefix.length) continue;
      const name = file.slice(prefix.length, slash);
      return {
        area,
        name,
        prefix: file.slice(0, slash + 1),
        isCluster: layout.repository?.clusters.has(name) ?? false,
      };
    }
    return undefined;
  };

  const known = new Map(options.crds?.map((c) => [`${c.document.file}#${c.document.index}`, c]));
  const crds = ofKind(crdGroup, "CustomResourceDefinition").map(
    (d) => known.get(`${d.file}#${d.index}`) ?? crdFactsOf(d),
  );
  const crdsByName = new Map<string, CrdFacts[]>();
  for (const crd of crds) {
    if (crd.plural === undefined || crd.group === undefined) continue;
    const key = `${crd.plural}.${crd.group}`;
    crdsByName.set(key, [...(crdsByName.get(key) ?? []), crd]);
  }

  const exportsOf = (kind: ExportInfo["kind"]) =>
    ofKind(kubeBindGroup, kind).map((d) => exportInfo(d, kind, folderOf(d.file)));
  const templates = exportsOf("APIServiceExportTemplate");
  const templatesByName = new Map<string, ExportInfo[]>();
  for (const template of templates) {
    if (template.name === undefined) continue;
    templatesByName.set(template.name, [...(templatesByName.get(template.name) ?? []), template]);
  }
  const laidOut = templates.some((t) => t.folder?.area === "providers");
  const requests = exportsOf("APIServiceExportRequest");
  const providerFolders = new Set<string>();
  let previousFile: string | undefined;
  for (const { file } of documents) {
    if (file === previousFile) continue;
    previousFile = file;
    const found = folderOf(file);
    if (found?.area === "providers") providerFolders.add(found.prefix);
  }
  /** A template or CRD in a providers folder that is not named after a cluster. */
  const inServiceFolder = (folder: ClusterFolder | undefined, providersPrefix: string) =>
    folder?.area === "providers" && !folder.isCluster && folder.prefix.startsWith(providersPrefix);

  return {
    documents,
    facts,
    repositories,
    crds,
    templates,
    requests,
    bindings: ofKind(bindopsGroup, "ServiceBinding"),
    collections: ofKind(kubeBindGroup, "Collection"),
    layoutOf,
    folderOf,
    findCrd(group, resource, fromFile) {
      const candidates = crdsByName.get(`${resource}.${group}`) ?? [];
      const from = folderOf(fromFile);
      if (from?.area !== "providers") return { crd: candidates[0], elsewhere: [] };
      const providersPrefix = layoutOf(fromFile).providersPrefix;
      const crd =
        candidates.find((c) => folderOf(c.document.file)?.prefix === from.prefix) ??
        candidates.find((c) => folderOf(c.document.file) === undefined) ??
        (from.isCluster
          ? undefined
          : candidates.find((c) => inServiceFolder(folderOf(c.document.file), providersPrefix)));
      return { crd, elsewhere: crd ? [] : candidates };
    },
    findTemplate(name, provider, fromFile) {
      const named = templatesByName.get(name) ?? [];
      const providersPrefix = layoutOf(fromFile).providersPrefix;
      const prefix = `${providersPrefix}${provider}/`;
      const found = (template: ExportInfo | undefined, searched: string): TemplateLookup => ({
        template,
        elsewhere: template ? [] : named,
        ambiguous: false,
        searched,
      });
      const inFolder = named.find((t) => t.folder?.prefix === prefix);
      if (inFolder || providerFolders.has(prefix)) return found(inFolder, prefix);
      const pool = laidOut
        ? named.filter((t) => inServiceFolder(t.folder, providersPrefix))
        : named;
      const lookup = found(
        pool.length === 1 ? pool[0] : undefined,
        laidOut ? providersPrefix : "the files validated",
      );
      return { ...lookup, ambiguous: pool.length > 1 };
    },
  };
}

/** A configured folder as a prefix: `./providers/` and `providers` both give `providers/`. */
function folder(value: unknown, fallback: string): string {
  let path = asNonBlank(value)?.trim() ?? fallback;
  while (path.startsWith("./")) path = path.slice(2);
  path = path.replace(/\/+$/, "");
  return path === "" || path === "." ? "" : `${path}/`;
}

function repositoryInfo(document: ManifestDocument): RepositoryInfo {
  const slash = document.file.lastIndexOf("/");
  const clusters = new Map<string, { role: string | undefined }>();
  const entries = asRecord(field(document.value, "spec", "clusters")) ?? {};
  for (const [name, entry] of Object.entries(entries)) {
    clusters.set(name, { role: asString(field(entry, "role")) });
  }
  return { document, root: slash < 0 ? "" : document.file.slice(0, slash + 1), clusters };
}

function exportInfo(
  document: ManifestDocument,
  kind: ExportInfo["kind"],
  folder: ClusterFolder | undefined,
): ExportInfo {
  const resources: ExportResource[] = [];
  asArray(field(document.value, "spec", "resources")).forEach((entry, i) => {
    const resource = asString(field(entry, "resource"));
    if (resource === undefined) return;
    resources.push({
      group: asString(field(entry, "group")) ?? "",
      resource,
      versions: asStringArray(field(entry, "versions")),
      pointer: `/spec/resources/${i}`,
    });
  });
  const claims = asArray(field(document.value, "spec", "permissionClaims")).map(permissionClaimOf);
  return { document, kind, name: documentFacts(document.value).name, folder, resources, claims };
}
