import { appendAll } from "../core/append-all.js";
import { exportedLabel } from "../core/kube-groups.js";
import { joinPointer, type Finding } from "../core/finding.js";
import type { ManifestDocument } from "../core/manifest.js";
import { documentFinding } from "./document-finding.js";
import { asArray, asString, field } from "../core/lenient.js";
import type { CrdFacts } from "../core/crd-facts.js";
import type { ExportInfo, RepositoryIndex } from "./repository-index.js";

/**
 * What names what across documents:
 * - a ServiceBinding's provider and consumer are clusters of bindops.yaml with those roles
 *   (`binding-unknown-cluster`, `binding-wrong-role`; skipped without bindops.yaml, which is a
 *   `repository-missing` warning), and its template is one of that provider's
 *   (`binding-unknown-template`);
 * - each resource of a template or request has versions (`template-resource-missing-versions`),
 *   appears once (`template-duplicate-resource`), and resolves to a CRD `<resource>.<group>` of
 *   the same provider (`template-missing-crd`) that is labelled for export (`crd-not-exported`,
 *   on the CRD) and serves the versions asked for (`template-version-not-served`); the CRDs of one
 *   template share a scope (`template-mixed-scopes`), which should be the template's
 *   (`template-scope-mismatch`);
 * - a CRD is named `<plural>.<group>` (`crd-name-mismatch`);
 * - a Collection's templates exist (`collection-unknown-template`).
 */
export function checkCrossReferences(index: RepositoryIndex): Finding[] {
  return [
    ...checkBindings(index),
    ...checkExports(index),
    ...checkCrdNames(index),
    ...checkCollections(index),
  ];
}

function checkBindings(index: RepositoryIndex): Finding[] {
  const findings: Finding[] = [];
  const unchecked: ManifestDocument[] = [];
  for (const binding of index.bindings) {
    const spec = field(binding.value, "spec");
    const repository = index.layoutOf(binding.file).repository;
    if (repository === undefined) unchecked.push(binding);
    for (const role of ["provider", "consumer"] as const) {
      const cluster = asString(field(spec, role));
      if (repository === undefined || cluster === undefined) continue;
      const entry = repository.clusters.get(cluster);
      if (entry === undefined) {
        const known = [...repository.clusters.keys()];
        findings.push(
          documentFinding(
            "binding-unknown-cluster",
            binding,
            joinPointer("spec", role),
            `${role} cluster "${cluster}" is not in ${repository.document.file} (its clusters: ${known.length > 0 ? known.join(", ") : "none"})`,
          ),
        );
      } else if (entry.role !== undefined && entry.role !== role) {
        findings.push(
          documentFinding(
            "binding-wrong-role",
            binding,
            joinPointer("spec", role),
            `cluster "${cluster}" has role ${entry.role} in ${repository.document.file}, but spec.${role} needs a cluster of role ${role}`,
          ),
        );
      }
    }

    const provider = asString(field(spec, "provider"));
    const name = asString(field(spec, "template"));
    if (provider === undefined || name === undefined) continue;
    const { template, elsewhere, ambiguous, searched } = index.findTemplate(
      name,
      provider,
      binding.file,
    );
    if (template !== undefined) continue;
    const files = elsewhere.map((t) => t.document.file).join(", ");
    findings.push(
      documentFinding(
        "binding-unknown-template",
        binding,
        "/spec/template",
        ambiguous
          ? `template "${name}" is ambiguous: ${files} all define it; put provider "${provider}"'s templates in ${index.layoutOf(binding.file).providersPrefix}${provider}/`
          : `provider "${provider}" has no APIServiceExportTemplate "${name}" (looked in ${searched})${elsewhere.length > 0 ? `; ${files} belongs to another provider` : ""}`,
      ),
    );
  }

  const first = unchecked[0];
  if (first !== undefined) {
    const count = unchecked.length;
    findings.push(
      documentFinding(
        "repository-missing",
        first,
        "",
        index.repositories.length === 0
          ? `no bindops.yaml (kind Repository) among the files validated, so the clusters of ${count} ServiceBinding${count === 1 ? "" : "s"} were not checked`
          : `no bindops.yaml above ${first.file}, so the clusters of ${count} ServiceBinding${count === 1 ? "" : "s"} outside ${index.repositories.map((r) => r.document.file).join(", ")} were not checked`,
      ),
    );
  }
  return findings;
}

function checkExports(index: RepositoryIndex): Finding[] {
  const findings: Finding[] = [];
  /** CRDs exported without the label → the templates that export them. */
  const unlabelled = new Map<CrdFacts, string[]>();
  for (const exported of [...index.templates, ...index.requests]) {
    const { document } = exported;
    const what = describe(exported);
    const seen = new Map<string, string>();
    const scopes = new Map<string, string[]>();
    for (const resource of exported.resources) {
      const key = `${resource.resource}.${resource.group}`;
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        findings.push(
          documentFinding(
            "template-duplicate-resource",
            document,
            resource.pointer,
            `${key} is listed twice (first at ${earlier}); their BoundSchemas would collide`,
          ),
        );
        continue;
      }
      seen.set(key, resource.pointer);
      if (resource.versions === undefined || resource.versions.length === 0) {
        findings.push(
          documentFinding(
            "template-resource-missing-versions",
            document,
            resource.pointer,
            `${key} lists no versions: kube-bind creates no BoundSchema for it and the request stays Pending`,
          ),
        );
      }
      if (resource.group === "") {
        findings.push(
          documentFinding(
            "template-missing-crd",
            document,
            resource.pointer,
            `${resource.resource} of the core group cannot be exported: kube-bind exports CRDs only`,
          ),
        );
        continue;
      }
      const { crd, elsewhere } = index.findCrd(resource.group, resource.resource, document.file);
      if (crd === undefined) {
        const where =
          exported.folder?.area === "providers"
            ? `for ${exported.folder.prefix}`
            : "among the files validated";
        const hint =
          elsewhere.length > 0
            ? `; ${elsewhere.map((c) => c.document.file).join(", ")} belongs to another provider`
            : "";
        findings.push(
          documentFinding(
            "template-missing-crd",
            document,
            resource.pointer,
            `no CustomResourceDefinition ${key} ${where}${hint}; kube-bind would report SchemaNotFound`,
          ),
        );
        continue;
      }
      if (!crd.exported) unlabelled.set(crd, [...(unlabelled.get(crd) ?? []), what]);
      (resource.versions ?? []).forEach((version, j) => {
        const found = crd.versions.find((v) => v.name === version);
        if (found?.served === true) return;
        const served = crd.versions.filter((v) => v.served).map((v) => v.name);
        findings.push(
          documentFinding(
            "template-version-not-served",
            document,
            `${resource.pointer}/versions/${j}`,
            `${found ? "CustomResourceDefinition " + key + " does not serve" : key + " has no"} version ${version} (served: ${served.length > 0 ? served.join(", ") : "none"})`,
          ),
        );
      });
      if (crd.scope !== undefined) scopes.set(crd.scope, [...(scopes.get(crd.scope) ?? []), key]);
    }
    appendAll(findings, checkScopes(exported, scopes));
  }
  for (const [crd, exporters] of unlabelled) {
    const labels = field(crd.document.value, "metadata", "labels");
    const given = field(labels, exportedLabel);
    findings.push(
      documentFinding(
        "crd-not-exported",
        crd.document,
        labelPointer(labels, given),
        `${exporters.join(", ")} export${exporters.length === 1 ? "s" : ""} this CRD, but it lacks the label kube-bind.io/exported: "true" (kube-bind only finds labelled CRDs)`,
      ),
    );
  }
  return findings;
}

/** The CRDs of one export share a scope, which its `spec.scope` names. */
function checkScopes(exported: ExportInfo, scopes: ReadonlyMap<string, string[]>): Finding[] {
  const { document } = exported;
  if (scopes.size > 1) {
    const list = [...scopes].map(([scope, keys]) => `${scope}: ${keys.join(", ")}`).join("; ");
    return [
      documentFinding(
        "template-mixed-scopes",
        document,
        "/spec/resources",
        `the exported CRDs differ in scope (${list}); kube-bind refuses the request (DifferentScopes)`,
      ),
    ];
  }
  const declared = asString(field(document.value, "spec", "scope"));
  const [actual] = scopes.keys();
  if (
    exported.kind !== "APIServiceExportTemplate" ||
    actual === undefined ||
    (declared !== "Namespaced" && declared !== "Cluster") ||
    actual === declared
  ) {
    return [];
  }
  return [
    documentFinding(
      "template-scope-mismatch",
      document,
      "/spec/scope",
      `spec.scope is ${declared}, but the exported CRDs are ${actual}`,
    ),
  ];
}

/** Where a missing or wrong `kube-bind.io/exported` label belongs. */
function labelPointer(labels: unknown, given: unknown): string {
  if (given !== undefined) return "/metadata/labels/kube-bind.io~1exported";
  return labels !== undefined ? "/metadata/labels" : "/metadata";
}

function checkCrdNames(index: RepositoryIndex): Finding[] {
  const findings: Finding[] = [];
  for (const crd of index.crds) {
    if (crd.name === undefined || crd.plural === undefined || crd.group === undefined) continue;
    const expected = `${crd.plural}.${crd.group}`;
    if (crd.name === expected) continue;
    findings.push(
      documentFinding(
        "crd-name-mismatch",
        crd.document,
        "/metadata/name",
        `CustomResourceDefinition "${crd.name}" must be named ${expected} (<spec.names.plural>.<spec.group>)`,
      ),
    );
  }
  return findings;
}

function checkCollections(index: RepositoryIndex): Finding[] {
  const findings: Finding[] = [];
  for (const collection of index.collections) {
    const folder = index.folderOf(collection.file);
    const local = folder?.area === "providers" && folder.isCluster;
    asArray(field(collection.value, "spec", "templates")).forEach((entry, i) => {
      const name = asString(field(entry, "name"));
      if (name === undefined) return;
      const found = index.templates.some(
        (t) => t.name === name && (!local || t.folder?.prefix === folder.prefix),
      );
      if (found) return;
      findings.push(
        documentFinding(
          "collection-unknown-template",
          collection,
          joinPointer("spec", "templates", i, "name"),
          `the Collection lists template "${name}", which is not ${local ? `in ${folder.prefix}` : "among the files validated"}`,
        ),
      );
    });
  }
  return findings;
}

function describe(exported: ExportInfo): string {
  return `${exported.kind} ${exported.name ?? "(unnamed)"}`;
}
