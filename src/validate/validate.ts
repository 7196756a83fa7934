import { appendAll } from "../core/append-all.js";
import { crdFactsOf } from "../core/crd-facts.js";
import { detachedString } from "../core/detached-string.js";
import { compareFindings, compareStrings, type Finding } from "../core/finding.js";
import type { ManifestDocument } from "../core/manifest.js";
import { checkRules, runChecks } from "../checks/index.js";
import { documentFacts, type DocumentFacts } from "../core/document-facts.js";
import { bindopsApiVersion } from "../core/kube-groups.js";
import { newestKubernetesVersion } from "../core/removed-apis.js";
import { loadFiles } from "../manifests/load-files.js";
import { loadRules } from "../manifests/load-rules.js";
import { SourceMap } from "../manifests/source-map.js";
import type { Snapshot, SnapshotFile } from "../core/snapshot.js";
import {
  nonManifestFiles,
  nonManifestKinds,
  type NonManifestKind,
} from "../manifests/non-manifest-files.js";
import { evaluateClaims } from "../policy/evaluate-claims.js";
import { loadPolicies } from "../policy/load-policies.js";
import { placePolicies } from "../policy/policy-placement.js";
import { policyFindings } from "../policy/policy-findings.js";
import type {
  ReportFile,
  RuleInfo,
  SkippedFiles,
  ValidateReport,
} from "../report/validate-report.js";
import { createSchemaRegistry } from "../schema/schema-registry.js";
import { validateDocument } from "../schema/validate-document.js";
import { isCrdDocument } from "../schema/validate-documents.js";
import { affectedDocuments } from "./affected-documents.js";
import { checkPatches } from "./check-patches.js";
import { createPace } from "./pace.js";
import { RepositoryFiles } from "./repository-files.js";
import { yaml11Findings } from "./yaml11-findings.js";

/** Options of {@link validate}. */
export interface ValidateOptions {
  /**
   * Folders of CustomResourceDefinitions that custom resources are validated against
   * (`--crd-dir`), their paths named as they are to be reported (see `rebaseSnapshot`).
   */
  crds?: readonly Snapshot[];
  /** Folders of ClaimPolicy documents (`--policy`), tried before the defaults. */
  policies?: readonly Snapshot[];
  /** bindops's shipped default policies, tried last. */
  defaultPolicies?: Snapshot;
  ignoreUnknownKinds?: boolean;
  /**
   * The Kubernetes release (`1.29`) the manifests are meant for: API versions it no longer serves
   * are errors, deprecated ones warnings. Default: the newest release bindops knows.
   */
  kubernetesVersion?: string;
  /**
   * When set, only documents in these files (paths of the snapshot), and what they reference or
   * what references them, are reported on.
   */
  changedFiles?: ReadonlySet<string>;
  /**
   * When set, only findings in these files and folders (paths of the snapshot, `""` for all) are
   * reported, and only their files counted: the rest of the snapshot is read as their context
   * (a binding's template, the repository's clusters and policies).
   */
  reportOnly?: readonly string[];
  toolVersion: string;
  /** Stops the run: the returned promise rejects with its reason, and no report is made. */
  signal?: AbortSignal;
  /**
   * How long validation runs between turns of the event loop, in milliseconds (default 50), so
   * that a signal handler, and so `signal`, can stop a long run promptly.
   */
  sliceMs?: number;
  /**
   * How many documents (empty ones included) one file may hold before it is refused whole
   * (`--max-documents`; default 100,000).
   */
  maxDocumentsPerFile?: number;
  /** Told how long each phase took, in milliseconds (for benchmarks). */
  onPhase?: (phase: string, ms: number) => void;
}

/** Rules reported by the schema stage and the policy stage. */
const stageRules: RuleInfo[] = [
  {
    id: "schema",
    severity: "error",
    description: "The document does not match the schema of its kind.",
    help: "Fix the field named in the message; unknown fields would be dropped by the API server.",
  },
  {
    id: "unknown-kind",
    severity: "error",
    description:
      "No schema knows this apiVersion/kind: not built into Kubernetes, not kube-bind's or bindops's, and no CRD in the repository defines it.",
    help: "Add the CRD to the repository, point --crd-dir at it, or pass --ignore-unknown-kinds.",
  },
  {
    id: "unknown-version",
    severity: "error",
    description: "The kind is known, but not at this apiVersion.",
  },
  {
    id: "policy-denied",
    severity: "error",
    description: "A ClaimPolicy rule denies this permission claim.",
  },
  {
    id: "policy-requires-approval",
    severity: "warning",
    description: "A ClaimPolicy rule requires a reviewer's approval for this permission claim.",
  },
  {
    id: "policy-outside-policies-folder",
    severity: "error",
    description:
      "A ClaimPolicy outside the repository's policies folder: it is not applied, since a policy beside a team's bindings would let the team approve its own claims.",
    help: "Move it into the policies folder (spec.paths.policies of bindops.yaml, default policies/).",
  },
  {
    id: "policy-duplicate-rule",
    severity: "error",
    description: "Two rules of one ClaimPolicy share a name.",
  },
];

const locationKey = (f: Finding): string =>
  `${f.location.file}#${f.location.document}${f.location.pointer ?? ""}`;

/** The first description of each rule id wins: SARIF wants each rule once. */
function uniqueRules(rules: readonly RuleInfo[]): RuleInfo[] {
  const seen = new Set<string>();
  return rules.filter((rule) => !seen.has(rule.id) && seen.add(rule.id));
}

/**
 * The `validate` pipeline on a snapshot: load the files, check every document against its
 * schema, run the semantic checks and the claim policies, and return the findings with
 * positions, in a stable order. Free of I/O: a snapshot reader (`src/git`) has read the files.
 */
export async function validate(
  snapshot: Snapshot,
  options: ValidateOptions,
): Promise<ValidateReport> {
  const started = performance.now();
  const { signal } = options;
  const phase = phaseTimer(options.onPhase);
  const pace = createPace({ signal, sliceMs: options.sliceMs });
  const { files, patches, skipped } = manifestsOnly(snapshot.files);
  const repository = new RepositoryFiles(files, {
    pace,
    ...(options.maxDocumentsPerFile === undefined
      ? {}
      : { maxDocumentsPerFile: options.maxDocumentsPerFile }),
  });
  // Named after the root like repository files, but added to the positions after them.
  const extraSources = new SourceMap();
  const extra = (snapshots: readonly Snapshot[] | undefined): ManifestDocument[] =>
    (snapshots ?? []).flatMap((s) => loadExtra(s, extraSources, signal));
  const crdDocuments = extra(options.crds).filter(isCrdDocument);
  const policyDocuments = extra(options.policies);
  const defaultPolicyDocuments = extra(options.defaultPolicies ? [options.defaultPolicies] : []);
  phase("load extra folders");

  // Schemas: every CRD (--crd-dir and repository) first, then each document as it is parsed.
  const registry = createSchemaRegistry();
  const crdFindings: Finding[] = [];
  // Each CRD is read once, for the registry here and for the checks across documents below.
  const crds = [...crdDocuments, ...(await repository.crds())].map(crdFactsOf);
  for (const crd of crds) appendAll(crdFindings, registry.addCrd(crd));
  const unknownKinds = options.ignoreUnknownKinds ? "ignore" : "error";
  const kubernetesVersion = options.kubernetesVersion ?? newestKubernetesVersion;
  const checked = await repository.check({ registry, unknownKinds, kubernetesVersion });
  if (pace.due()) await pace.turn();
  phase("load and check documents");
  const { documents: repoDocuments, facts: repoFacts, sources } = checked;
  for (const [file, source] of extraSources.entries()) sources.set(file, source);
  const patched = checkPatches(
    patches,
    { registry, unknownKinds, kubernetesVersion },
    sources,
    signal,
  );
  const findings: Finding[] = [
    ...snapshot.findings,
    ...checked.findings,
    ...crdFindings,
    ...patched.findings,
  ];

  const scope = options.changedFiles
    ? affectedDocuments(repoDocuments, repoFacts, options.changedFiles)
    : undefined;
  const reported = within(options.reportOnly);
  const inScope = (finding: Finding): boolean => {
    if (!reported(finding.location.file)) return false;
    if (!scope) return true;
    const { file, document } = finding.location;
    if (document === undefined || patches.has(file)) return options.changedFiles?.has(file) ?? true;
    return scope.has(`${file}#${document}`);
  };

  // Documents out of scope were schema-checked too; their findings are left out below.
  const schemaFindings = checked.schema;
  const policyFacts = policyDocuments.map((d) => documentFacts(d.value));
  policyDocuments.forEach((document, i) => {
    if (scope && !scope.has(`${document.file}#${document.index}`)) return;
    // A document without apiVersion/kind has no schema; the checks report it (missing-type-meta).
    if (!policyFacts[i]?.type) return;
    for (const finding of validateDocument(document, registry, { unknownKinds })) {
      schemaFindings.push(finding);
    }
  });
  // A CRD's schema that the API server refuses is reported once, by the registry's more
  // specific crd-schema finding (`required must be a list of field names, not true`), not again
  // by the CRD kind's published schema at the same place.
  const explained = new Set(crdFindings.map(locationKey));
  appendAll(
    findings,
    schemaFindings.filter((f) => f.rule !== "schema" || !explained.has(locationKey(f))),
  );

  // A check that repeats a schema finding at the same field says nothing new.
  const schemaAt = new Set(schemaFindings.map(locationKey));
  const checkedAcross = runChecks([...repoDocuments, ...crdDocuments], {
    facts: [...repoFacts, ...crdDocuments.map((d) => documentFacts(d.value))],
    documentFindings: checked.credentials,
    crds,
  });
  for (const finding of checkedAcross) {
    if (!schemaAt.has(locationKey(finding))) {
      findings.push(finding);
    }
  }
  appendAll(
    findings,
    yaml11Findings(checked, { registry, unknownKinds, kubernetesVersion }, schemaAt, scope),
  );
  phase("check across documents");
  if (pace.due()) await pace.turn();

  // Claim policies: the repository's (its policies folder and --policy folders), then the
  // shipped defaults. A ClaimPolicy anywhere else is an error and is not obeyed. They read
  // bindops's own kinds only.
  const ours = (documents: readonly ManifestDocument[], facts: readonly DocumentFacts[]) =>
    documents.filter((_, i) => facts[i]?.type?.apiVersion === bindopsApiVersion);
  const repoOurs = ours(repoDocuments, repoFacts);
  const placed = placePolicies(repoOurs);
  appendAll(findings, placed.findings);
  const repoPolicies = loadPolicies([...placed.policies, ...ours(policyDocuments, policyFacts)]);
  const defaults = loadPolicies(defaultPolicyDocuments);
  appendAll(findings, repoPolicies.findings);
  appendAll(findings, defaults.findings);
  const decisions = evaluateClaims(repoOurs, [...repoPolicies.policies, ...defaults.policies]);
  appendAll(findings, policyFindings(decisions));
  phase("policies");
  signal?.throwIfAborted();

  // Located document by document: each is parsed for positions once, and let go after.
  const located = dedupe(findings.filter(inScope))
    .sort(byDocument)
    .map((finding) => detachedMessage(sources.locateFinding(finding)))
    .sort(compareFindings);
  const inventory = [
    ...inventoryOf(repoDocuments, repoFacts, files.keys(), scope),
    ...inventoryOf(patched.documents, patched.facts, patches.keys(), undefined),
  ]
    .filter((f) => reported(f.file))
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const shownSkipped = skipped
    .map((group) => ({ ...group, files: group.files.filter(reported) }))
    .filter((group) => group.files.length > 0);
  phase("report");
  return {
    root: snapshot.origin.path,
    files: inventory.length,
    documents: inventory.reduce((n, file) => n + file.documents.length, 0),
    findings: located,
    rules: uniqueRules([...loadRules, ...stageRules, ...checkRules]),
    toolVersion: options.toolVersion,
    durationMs: Math.round(performance.now() - started),
    inventory,
    ...(shownSkipped.length > 0 ? { skipped: shownSkipped } : {}),
  };
}

/** Whether a file is in one of the given files or folders; every file when none are given. */
function within(paths: readonly string[] | undefined): (file: string) => boolean {
  if (paths === undefined || paths.some((p) => p === "" || p === ".")) return () => true;
  return (file) => paths.some((p) => file === p || file.startsWith(p.endsWith("/") ? p : `${p}/`));
}

/**
 * The snapshot's manifests; the kustomize patches, which are checked as partial objects; and the
 * files that are not manifests, which are listed by kind.
 */
function manifestsOnly(all: ReadonlyMap<string, SnapshotFile>): {
  files: ReadonlyMap<string, SnapshotFile>;
  patches: ReadonlyMap<string, SnapshotFile>;
  skipped: SkippedFiles[];
} {
  const found = nonManifestFiles(all);
  if (found.size === 0) return { files: all, patches: new Map(), skipped: [] };
  const files = new Map([...all].filter(([file]) => !found.has(file)));
  const patches = new Map([...all].filter(([file]) => found.get(file) === "kustomize-patch"));
  const byKind = new Map<NonManifestKind, string[]>();
  for (const [file, kind] of found) {
    if (kind !== "kustomize-patch") byKind.set(kind, [...(byKind.get(kind) ?? []), file]);
  }
  const skipped = [...byKind].map(([kind, list]) => ({
    kind,
    description: nonManifestKinds[kind],
    files: list.sort(),
  }));
  return { files, patches, skipped };
}

/** Reports the time since the previous call, under a name. */
function phaseTimer(
  onPhase: ((phase: string, ms: number) => void) | undefined,
): (phase: string) => void {
  let last = performance.now();
  return (phase) => {
    const now = performance.now();
    onPhase?.(phase, now - last);
    last = now;
  };
}

/** Loads a folder outside the repository (`--crd-dir`, `--policy`), keeping its positions. */
function loadExtra(
  snapshot: Snapshot,
  sources: SourceMap,
  signal: AbortSignal | undefined,
): ManifestDocument[] {
  const loaded = loadFiles(snapshot.files, signal ? { signal } : {});
  for (const [file, source] of loaded.sources.entries()) sources.set(file, source);
  return loaded.documents;
}

/** The report outlives the files: its messages must not keep their texts alive. */
function detachedMessage(finding: Finding): Finding {
  return { ...finding, message: detachedString(finding.message) };
}

function byDocument(a: Finding, b: Finding): number {
  return (
    compareStrings(a.location.file, b.location.file) ||
    (a.location.document ?? -1) - (b.location.document ?? -1)
  );
}

/** Two stages may report the same thing at the same place (e.g. an unknown kind). */
function dedupe(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.rule}\0${f.location.file}\0${f.location.document}\0${f.location.pointer}\0${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function inventoryOf(
  documents: readonly ManifestDocument[],
  facts: readonly DocumentFacts[],
  files: Iterable<string>,
  scope: ReadonlySet<string> | undefined,
): ReportFile[] {
  const byFile = new Map<string, ReportFile>();
  for (const file of files) byFile.set(file, { file, documents: [] });
  for (const [i, document] of documents.entries()) {
    if (scope && !scope.has(`${document.file}#${document.index}`)) continue;
    const type = facts[i]?.type;
    const name = facts[i]?.name;
    byFile.get(document.file)?.documents.push({
      index: document.index,
      ...(type ? { kind: type.kind } : {}),
      ...(name ? { name } : {}),
    });
  }
  const inventory = [...byFile.values()];
  return scope ? inventory.filter((f) => f.documents.length > 0) : inventory;
}
