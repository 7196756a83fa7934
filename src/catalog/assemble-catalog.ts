import {
  indexRepository,
  type ExportInfo,
  type RepositoryIndex,
} from "../checks/repository-index.js";
import { compareStrings } from "../core/finding.js";
import { asArray, asNonBlank, asRecord, asString, asStringArray, field } from "../core/lenient.js";
import type { ManifestDocument } from "../core/manifest.js";
import type { Snapshot, SnapshotFile } from "../core/snapshot.js";
import { loadFiles } from "../manifests/load-files.js";
import type { ClaimPolicy, PolicyEffect } from "../policy/claim-policy.js";
import { evaluateClaims } from "../policy/evaluate-claims.js";
import { claimFactsOf } from "../review/change-draft.js";
import { claimedObjects, claimInWords } from "../review/describe-claim.js";
import { gradeClaim } from "../review/grade-claim.js";
import { loadReviewDocuments } from "../review/load-review-documents.js";
import { reviewSideOf, type SideBinding, type SideTemplate } from "../review/review-side.js";
import { acceptedClaimsOf, bindingObject, bindingYaml, claimId } from "./binding-draft.js";
import type {
  Catalog,
  CatalogBinding,
  CatalogBindingStatus,
  CatalogClaim,
  CatalogKind,
  CatalogTemplate,
  PrinterColumn,
} from "./catalog.js";

/** What {@link assembleCatalog} reads. */
export interface CatalogInput {
  snapshot: Snapshot;
  /** `--policy` folders. */
  policies?: readonly Snapshot[];
  /** bindops's shipped default policies. */
  defaultPolicies?: Snapshot;
  signal?: AbortSignal;
}

/**
 * The catalog of a repository: every template with the kinds it exports, its claims in words,
 * graded as `review` grades a template's claims and judged by the claim policies as `validate`
 * applies them, and the bindings of it with their last observed status. Pure: the snapshots were
 * read by the caller.
 */
export function assembleCatalog(input: CatalogInput): Catalog {
  const { snapshot, signal } = input;
  const loaded = loadReviewDocuments(snapshot, snapshot, signal ? { signal } : {}).head;
  const side = reviewSideOf(loaded, {
    policies: (input.policies ?? []).flatMap((s) => loadFiles(s.files).documents),
    defaults: input.defaultPolicies ? loadFiles(input.defaultPolicies.files).documents : [],
  });
  const index = indexRepository(loaded.documents);
  const clusters = clustersOf(index);
  const statuses = readStatuses(snapshot, index);
  const byTemplate = new Map<ExportInfo, SideBinding[]>();
  for (const binding of side.bindings.values()) {
    if (binding.template === undefined) continue;
    byTemplate.set(binding.template, [...(byTemplate.get(binding.template) ?? []), binding]);
  }
  const names = new Map<string, number>();
  for (const t of side.templates.values()) names.set(t.name, (names.get(t.name) ?? 0) + 1);

  const templates = [...side.templates.values()]
    .sort((a, b) => compareStrings(a.provider, b.provider) || compareStrings(a.name, b.name))
    .map((template) => {
      signal?.throwIfAborted();
      const unique = names.get(template.name) === 1;
      return catalogTemplate(template, {
        index,
        policies: side.policies,
        clusters,
        bindings: byTemplate.get(template.info) ?? [],
        statuses,
        unique,
      });
    });
  const bindopsYaml = index.repositories[0]?.document.file ?? "bindops.yaml";
  const consumersFolder = index.layoutOf(bindopsYaml).consumersPrefix;
  return {
    revision: snapshot.revision,
    consumersFolder,
    consumerClusters: clusters.consumers,
    templates,
  };
}

interface Clusters {
  providers: string[];
  consumers: string[];
}

function clustersOf(index: RepositoryIndex): Clusters {
  const clusters = index.repositories[0]?.clusters ?? new Map<string, { role?: string }>();
  const named = (role: string) =>
    [...clusters].filter(([, c]) => c.role === role).map(([name]) => name);
  return { providers: named("provider"), consumers: named("consumer") };
}

interface TemplateContext {
  index: RepositoryIndex;
  policies: readonly ClaimPolicy[];
  clusters: Clusters;
  bindings: readonly SideBinding[];
  statuses: ReadonlyMap<string, CatalogBindingStatus>;
  /** No other provider has a template of that name: `bind` finds it by its name alone. */
  unique: boolean;
}

const strictness: Record<PolicyEffect, number> = { allow: 0, "require-approval": 1, deny: 2 };

function catalogTemplate(template: SideTemplate, context: TemplateContext): CatalogTemplate {
  const { info } = template;
  const { document } = info;
  // A folder named after a provider cluster is that cluster's; any other belongs to the
  // repository's one provider cluster (as the reconciler assigns them).
  const folder = info.folder;
  const providerCluster =
    folder?.area === "providers" && folder.isCluster
      ? folder.name
      : context.clusters.providers.length === 1
        ? context.clusters.providers[0]
        : undefined;
  const kindOf = (group: string, resource: string) =>
    context.index.findCrd(group, resource, document.file).crd?.kind;
  const consumer =
    context.clusters.consumers.length === 1 ? context.clusters.consumers[0]! : "<consumer-cluster>";
  const draft = {
    name: template.name,
    consumer,
    provider: providerCluster ?? "<provider-cluster>",
    template: template.name,
    claims: acceptedClaimsOf(document),
  };
  const decisions = evaluateClaims(
    [{ ...document, file: `${document.file}#bind`, value: bindingObject(draft) }],
    context.policies,
  );
  const claims = info.claims.map((claim, i): CatalogClaim => {
    const decision = decisions.find((d) => d.claimIndex === i);
    return {
      group: claim.group,
      resource: claim.resource,
      objects: claimedObjects(claim.group, claim.resource),
      id: claimId(claim.group, claim.resource),
      direction: claim.direction,
      words: claimInWords(claim, { kindOf }),
      ...gradeClaim(claimFactsOf(claim), "template"),
      policy: {
        effect: decision?.effect ?? "allow",
        ...(decision?.policy === undefined ? {} : { policy: decision.policy }),
        ...(decision?.rule === undefined ? {} : { rule: decision.rule }),
        ...(decision?.reason === undefined ? {} : { reason: decision.reason.trim() }),
      },
      written: draft.claims[i] ?? {},
    };
  });
  const verdict = claims.reduce<PolicyEffect>(
    (worst, c) => (strictness[c.policy.effect] > strictness[worst] ? c.policy.effect : worst),
    "allow",
  );
  const description = asNonBlank(field(document.value, "spec", "description"));
  const scope = asString(field(document.value, "spec", "scope"));
  const ref = context.unique ? template.name : template.key;
  return {
    id: template.key,
    name: template.name,
    provider: template.provider,
    ...(providerCluster === undefined ? {} : { providerCluster }),
    file: document.file,
    line: document.line,
    ...(description === undefined ? {} : { description: description.trim() }),
    ...(scope === undefined ? {} : { scope }),
    kinds: info.resources.map((r) => catalogKind(r, context.index, document.file)),
    claims,
    verdict,
    bindings: context.bindings
      .map((b) => catalogBinding(b, context, kindOf))
      .sort((a, b) => compareStrings(a.folder, b.folder) || compareStrings(a.name, b.name)),
    bindCommand: `bindops bind ${ref} --consumer <team>`,
    snippet: bindingYaml(draft),
  };
}

function catalogKind(
  resource: ExportInfo["resources"][number],
  index: RepositoryIndex,
  file: string,
): CatalogKind {
  const crd = index.findCrd(resource.group, resource.resource, file).crd;
  const spec = asRecord(crd?.document.value.spec);
  const names = asRecord(spec?.names);
  const served = crd?.versions.filter((v) => v.served).map((v) => v.name) ?? [];
  const versions = resource.versions ?? served;
  const version =
    asArray(spec?.versions).find((v) => versions.includes(asString(field(v, "name")) ?? "")) ??
    asArray(spec?.versions)[0];
  const description = asNonBlank(field(version, "schema", "openAPIV3Schema", "description"));
  const columns = asArray(field(version, "additionalPrinterColumns")).flatMap(
    (entry): PrinterColumn[] => {
      const name = asString(field(entry, "name"));
      const jsonPath = asString(field(entry, "jsonPath"));
      if (name === undefined || jsonPath === undefined) return [];
      const text = asNonBlank(field(entry, "description"));
      const priority = field(entry, "priority");
      return [
        {
          name,
          type: asString(field(entry, "type")) ?? "string",
          jsonPath,
          ...(text === undefined ? {} : { description: text }),
          priority: typeof priority === "number" ? priority : 0,
        },
      ];
    },
  );
  return {
    group: resource.group,
    resource: resource.resource,
    ...(crd?.kind === undefined ? {} : { kind: crd.kind }),
    versions: [...versions],
    shortNames: asStringArray(names?.shortNames) ?? [],
    categories: asStringArray(names?.categories) ?? [],
    ...(crd?.scope === undefined ? {} : { scope: crd.scope }),
    ...(description === undefined ? {} : { description: description.trim() }),
    printerColumns: columns,
  };
}

function catalogBinding(
  binding: SideBinding,
  context: TemplateContext,
  kindOf: (group: string, resource: string) => string | undefined,
): CatalogBinding {
  const { view } = binding;
  const consumer = view.consumer ?? "";
  const folder = context.index.folderOf(binding.document.file);
  const status = context.statuses.get(`${consumer}/${view.name}`);
  return {
    name: view.name,
    consumer,
    folder: folder?.area === "consumers" ? folder.name : "",
    file: binding.document.file,
    namespaces: view.namespaces,
    claims: view.claims.map((claim) => ({
      id: claimId(claim.group, claim.resource),
      words: claimInWords(claim, { namespaces: view.namespaces, kindOf }),
    })),
    ...(status === undefined ? {} : { status }),
  };
}

/** The BindingStatus files the reconciler wrote, by `<consumer>/<binding>`. */
function readStatuses(
  snapshot: Snapshot,
  index: RepositoryIndex,
): Map<string, CatalogBindingStatus> {
  const root = index.repositories[0]?.document.file ?? "bindops.yaml";
  const prefix = index.layoutOf(root).statusPrefix;
  const files = new Map<string, SnapshotFile>();
  for (const [file, content] of snapshot.files) {
    if (file.startsWith(prefix)) files.set(file, content);
  }
  const statuses = new Map<string, CatalogBindingStatus>();
  for (const document of loadFiles(files).documents) {
    const status = statusOf(document);
    if (status === undefined) continue;
    statuses.set(status.key, status.value);
  }
  return statuses;
}

function statusOf(
  document: ManifestDocument,
): { key: string; value: CatalogBindingStatus } | undefined {
  const { value } = document;
  if (value.kind !== "BindingStatus") return undefined;
  const consumer = asString(field(value, "spec", "consumer"));
  const binding = asString(field(value, "spec", "binding"));
  const phase = asString(field(value, "status", "phase"));
  if (consumer === undefined || binding === undefined || phase === undefined) return undefined;
  const ready = asArray(field(value, "status", "conditions")).find(
    (c) => field(c, "type") === "Ready",
  );
  const revision = asString(field(value, "status", "observedRevision"));
  const readyStatus = asString(field(ready, "status"));
  const reason = asString(field(ready, "reason"));
  const message = asNonBlank(field(ready, "message"));
  return {
    key: `${consumer}/${binding}`,
    value: {
      phase,
      ...(revision === undefined ? {} : { observedRevision: revision }),
      ...(readyStatus === undefined
        ? {}
        : {
            ready: {
              status: readyStatus,
              ...(reason === undefined ? {} : { reason }),
              ...(message === undefined ? {} : { message }),
            },
          }),
      file: document.file,
    },
  };
}
