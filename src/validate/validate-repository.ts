import path from "node:path";
import { compareFindings, type Finding } from "../core/finding.js";
import { objectMetaOf, typeMetaOf, type ManifestDocument } from "../core/manifest.js";
import { checkRules, checkYaml11Scalars, runChecks } from "../checks/index.js";
import { discoverFiles } from "../manifests/discover-files.js";
import { loadFiles } from "../manifests/load-files.js";
import { loadRules } from "../manifests/load-rules.js";
import type { SourceMap } from "../manifests/source-map.js";
import { evaluateClaims } from "../policy/evaluate-claims.js";
import { loadPolicies } from "../policy/load-policies.js";
import { policyFindings } from "../policy/policy-findings.js";
import type { ReportFile, RuleInfo, ValidateReport } from "../report/validate-report.js";
import { createSchemaRegistry } from "../schema/schema-registry.js";
import { isCrdDocument } from "../schema/validate-documents.js";
import { validateDocument } from "../schema/validate-document.js";
import { affectedDocuments } from "./affected-documents.js";

export interface ValidateRepositoryOptions {
  /** Absolute path of the repository root; reported paths are relative to it. */
  root: string;
  /** Files or folders to validate, absolute or relative to the root. */
  paths: readonly string[];
  /** gitignore-style patterns to skip, on top of `.bindopsignore`. */
  exclude?: readonly string[];
  /** Extra folders (absolute) whose CRDs custom resources are validated against. */
  crdDirs?: readonly string[];
  /** Extra folders (absolute) of ClaimPolicy documents, tried before the defaults. */
  policyDirs?: readonly string[];
  /** The folder of bindops's shipped default policies, tried last. */
  defaultPolicyDir?: string;
  ignoreUnknownKinds?: boolean;
  /**
   * When set, only documents in these files (relative to the root), and what they reference or
   * what references them, are reported on.
   */
  changedFiles?: ReadonlySet<string>;
  toolVersion: string;
  signal?: AbortSignal;
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
    id: "policy-duplicate-rule",
    severity: "error",
    description: "Two rules of one ClaimPolicy share a name.",
  },
];

const schemaOwnedRules = new Set(["unknown-kind", "unknown-version"]);

const locationKey = (f: Finding): string =>
  `${f.location.file}#${f.location.document}${f.location.pointer ?? ""}`;

/** The first description of each rule id wins: SARIF wants each rule once. */
function uniqueRules(rules: readonly RuleInfo[]): RuleInfo[] {
  const seen = new Set<string>();
  return rules.filter((rule) => !seen.has(rule.id) && seen.add(rule.id));
}

/** Folders a repository does not hold manifests in: tooling, CI, local state. */
const defaultExcludes = [".*/", "node_modules/"];

/**
 * The `validate` pipeline: discover and load the files, check every document against its schema,
 * run the semantic checks and the claim policies, and return the findings with positions, in a
 * stable order. Synchronous apart from nothing: it reads files, and runs no git or network.
 */
export function validateRepository(options: ValidateRepositoryOptions): ValidateReport {
  const started = performance.now();
  const { root } = options;
  const discovered = discoverFiles(root, options.paths, {
    exclude: [...defaultExcludes, ...(options.exclude ?? [])],
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const loaded = loadFiles(
    root,
    discovered.files,
    options.signal ? { signal: options.signal } : {},
  );
  const sources = loaded.sources;
  const repoDocuments = loaded.documents;

  const extra = (dirs: readonly string[] | undefined): ManifestDocument[] =>
    (dirs ?? []).flatMap((dir) => loadExtraFolder(root, dir, sources, options.signal));
  const crdDocuments = extra(options.crdDirs).filter(isCrdDocument);
  const policyDocuments = extra(options.policyDirs);
  const defaultPolicyDocuments = options.defaultPolicyDir
    ? loadExtraFolder(root, options.defaultPolicyDir, sources, options.signal)
    : [];

  const scope = options.changedFiles
    ? affectedDocuments(repoDocuments, options.changedFiles)
    : undefined;
  const inScope = (finding: Finding): boolean => {
    if (!scope) return true;
    const { file, document } = finding.location;
    if (document === undefined) return options.changedFiles?.has(file) ?? true;
    return scope.has(`${file}#${document}`);
  };

  const findings: Finding[] = [...discovered.findings, ...loaded.findings];

  // Schemas: every CRD (repository and --crd-dir) first, then each document in scope.
  const registry = createSchemaRegistry();
  for (const crd of [...crdDocuments, ...repoDocuments.filter(isCrdDocument)]) {
    findings.push(...registry.addCrd(crd));
  }
  const unknownKinds = options.ignoreUnknownKinds ? "ignore" : "error";
  const schemaFindings: Finding[] = [];
  for (const document of [...repoDocuments, ...policyDocuments]) {
    if (scope && !scope.has(`${document.file}#${document.index}`)) continue;
    // A document without apiVersion/kind has no schema; the checks report it (missing-type-meta).
    if (!typeMetaOf(document.value)) continue;
    schemaFindings.push(...validateDocument(document, registry, { unknownKinds }));
  }
  findings.push(...schemaFindings);

  // The schema stage owns kinds and versions (it knows every built-in kind and CRD version); a
  // check that repeats a schema finding at the same field says nothing new.
  const schemaAt = new Set(schemaFindings.map(locationKey));
  findings.push(
    ...runChecks([...repoDocuments, ...crdDocuments], { ignoreUnknownKinds: true }).filter(
      (f) => !schemaOwnedRules.has(f.rule) && !schemaAt.has(locationKey(f)),
    ),
  );
  findings.push(...yaml11Findings(repoDocuments, sources, scope));

  // Claim policies: the repository's (its files and --policy folders), then the shipped defaults.
  const repoPolicies = loadPolicies([...repoDocuments, ...policyDocuments]);
  const defaults = loadPolicies(defaultPolicyDocuments);
  findings.push(...repoPolicies.findings, ...defaults.findings);
  const decisions = evaluateClaims(repoDocuments, [...repoPolicies.policies, ...defaults.policies]);
  findings.push(...policyFindings(decisions));

  const reported = dedupe(findings.filter(inScope))
    .map((finding) => sources.locateFinding(finding))
    .sort(compareFindings);
  const inventory = inventoryOf(repoDocuments, discovered.files, scope);
  return {
    root,
    files: inventory.length,
    documents: inventory.reduce((n, file) => n + file.documents.length, 0),
    findings: reported,
    rules: uniqueRules([...loadRules, ...stageRules, ...checkRules]),
    toolVersion: options.toolVersion,
    durationMs: Math.round(performance.now() - started),
    inventory,
  };
}

/** Loads a folder outside the repository walk, naming its files relative to the root. */
function loadExtraFolder(
  root: string,
  dir: string,
  sources: SourceMap,
  signal: AbortSignal | undefined,
): ManifestDocument[] {
  const found = discoverFiles(dir, ["."], { exclude: defaultExcludes });
  const loaded = loadFiles(dir, found.files, signal ? { signal } : {});
  const prefix = path.relative(root, dir).split(path.sep).join("/");
  const rename = (file: string) => (prefix ? `${prefix}/${file}` : file);
  for (const [file, source] of loaded.sources.entries()) sources.set(rename(file), source);
  return loaded.documents.map((document) => ({ ...document, file: rename(document.file) }));
}

/**
 * Plain scalars that kubectl (YAML 1.1) reads differently from YAML 1.2: only documents whose
 * text holds such a token are parsed for positions.
 */
const yaml11Candidates =
  /(?:^|[\s[{,:])(?:y|Y|n|N|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)[ \t]*(?:$|[:,\]}#])|(?:^|[\s[{,:])[-+]?0[0-9_]+[ \t]*(?:$|[,\]}#])|(?:^|[\s[{,:])[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?[ \t]*(?:$|[,\]}#])/m;

function yaml11Findings(
  documents: readonly ManifestDocument[],
  sources: SourceMap,
  scope: ReadonlySet<string> | undefined,
): Finding[] {
  const findings: Finding[] = [];
  for (const document of documents) {
    if (scope && !scope.has(`${document.file}#${document.index}`)) continue;
    const scalars = sources.plainScalars(document.file, document.index, {
      textMatches: yaml11Candidates,
    });
    if (scalars.length === 0) continue;
    findings.push(...checkYaml11Scalars(scalars, document.file, document.index));
  }
  return findings;
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
  files: readonly string[],
  scope: ReadonlySet<string> | undefined,
): ReportFile[] {
  const byFile = new Map<string, ReportFile>();
  for (const file of files) byFile.set(file, { file, documents: [] });
  for (const document of documents) {
    if (scope && !scope.has(`${document.file}#${document.index}`)) continue;
    const type = typeMetaOf(document.value);
    const { name } = objectMetaOf(document.value);
    byFile.get(document.file)?.documents.push({
      index: document.index,
      ...(type ? { kind: type.kind } : {}),
      ...(name ? { name } : {}),
    });
  }
  const inventory = [...byFile.values()];
  return scope ? inventory.filter((f) => f.documents.length > 0) : inventory;
}
