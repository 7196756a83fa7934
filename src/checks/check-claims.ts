import type { Finding } from "../core/finding.js";
import type { ManifestDocument } from "../core/manifest.js";
import { documentFinding } from "./document-finding.js";
import { walkGjsonPath } from "./gjson-schema-path.js";
import { labelSelectorProblems } from "../core/label-selector-problems.js";
import { asArray, asNonBlank, asRecord, asString, asStringArray, field } from "../core/lenient.js";
import type { ExportInfo, ExportResource, RepositoryIndex } from "./repository-index.js";

/** What the claims of one document are checked against. */
interface ClaimContext {
  document: ManifestDocument;
  /** What the document is, for messages: `APIServiceExportTemplate databases`. */
  what: string;
  /** The isolation, when the document says (bindings); templates and requests do not know it. */
  isolation: string | undefined;
  /** The export's resources; undefined when unknown (a binding whose template is missing). */
  resources: readonly ExportResource[] | undefined;
  /** The file of the export, whose provider's CRDs references resolve to; undefined if unknown. */
  exportFile: string | undefined;
}

/** A path into the fields every object has, whatever its schema. */
const objectMetaPath = /^(?:metadata|apiVersion|kind)(?:\.|$)/;

const claimable = new Set(["/configmaps", "/secrets", "/serviceaccounts"]);

/**
 * Permission claims of templates, requests and ServiceBindings, one by one (spec §4.2, §10):
 * - `claim-not-claimable`: only ("", configmaps|secrets|serviceaccounts) can be claimed;
 * - `claim-duplicate`: one claim per group and resource;
 * - `claim-empty-selector` (warning): a selector without branches selects nothing;
 * - `claim-invalid-label-selector`: the labelSelector must convert;
 * - for each reference: it names an exported resource unless the isolation is None
 *   (`claim-reference-not-exported`), has a `jsonPath.name` (`claim-reference-missing-name`),
 *   its versions resolve to versions the CRD serves (`claim-reference-version-unknown`), its
 *   gjson paths lead to names in that CRD's schema, or in ObjectMeta's for paths into `metadata`
 *   (`claim-reference-path-unknown`), and without a
 *   `jsonPath.namespace` it matches any namespace unless the isolation is Namespaced
 *   (`claim-reference-any-namespace`, warning).
 * A binding's references are checked against its template's resources and its own isolation
 * (kube-bind's default, Prefixed, when it sets none).
 */
export function checkClaims(index: RepositoryIndex): Finding[] {
  const findings: Finding[] = [];
  for (const exported of [...index.templates, ...index.requests]) {
    findings.push(
      ...checkClaimList(index, {
        document: exported.document,
        what: `${exported.kind} ${exported.name ?? ""}`.trim(),
        isolation: undefined,
        resources: exported.resources,
        exportFile: exported.document.file,
      }),
    );
  }
  for (const binding of index.bindings) {
    const template = templateOf(index, binding);
    findings.push(
      ...checkClaimList(index, {
        document: binding,
        what: "the binding",
        isolation: asString(field(binding.value, "spec", "isolation")) ?? "Prefixed",
        resources: template?.resources,
        exportFile: template?.document.file,
      }),
    );
  }
  return findings;
}

/** The template a binding names, if it can be found. */
export function templateOf(
  index: RepositoryIndex,
  binding: ManifestDocument,
): ExportInfo | undefined {
  const provider = asString(field(binding.value, "spec", "provider"));
  const name = asString(field(binding.value, "spec", "template"));
  if (provider === undefined || name === undefined) return undefined;
  return index.findTemplate(name, provider, binding.file).template;
}

function checkClaimList(index: RepositoryIndex, context: ClaimContext): Finding[] {
  const { document } = context;
  const findings: Finding[] = [];
  const seen = new Map<string, string>();
  asArray(field(document.value, "spec", "permissionClaims")).forEach((claim, i) => {
    const pointer = `/spec/permissionClaims/${i}`;
    const group = asString(field(claim, "group")) ?? "";
    const resource = asString(field(claim, "resource"));
    if (resource === undefined) return;
    const key = `${group}/${resource}`;
    const shown = group === "" ? resource : `${resource}.${group}`;
    if (!claimable.has(key)) {
      const hint = group === "core" ? ' (the core group is written group: "")' : "";
      findings.push(
        documentFinding(
          "claim-not-claimable",
          document,
          pointer,
          `${shown} cannot be claimed${hint}: kube-bind claims only configmaps, secrets and serviceaccounts of the core group, and fails the request otherwise (InvalidPermissionClaim)`,
        ),
      );
    }
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      findings.push(
        documentFinding(
          "claim-duplicate",
          document,
          pointer,
          `a second claim for ${shown} (the first is at ${earlier}); kube-bind fails the request (DuplicatePermissionClaim): merge their selectors`,
        ),
      );
    } else seen.set(key, pointer);

    const selector = asRecord(field(claim, "selector"));
    if (selector === undefined) return;
    const selectorPointer = pointer + "/selector";
    const labelSelector = asRecord(selector.labelSelector);
    const named = asArray(selector.namedResources);
    const references = asArray(selector.references);
    if (labelSelector === undefined && named.length === 0 && references.length === 0) {
      findings.push(
        documentFinding(
          "claim-empty-selector",
          document,
          selectorPointer,
          `the selector of the claim for ${shown} has no labelSelector, namedResources or references, so it selects nothing`,
        ),
      );
    }
    for (const problem of labelSelectorProblems(labelSelector)) {
      findings.push(
        documentFinding(
          "claim-invalid-label-selector",
          document,
          `${selectorPointer}/labelSelector${problem.pointer}`,
          problem.message,
        ),
      );
    }
    references.forEach((reference, j) => {
      findings.push(
        ...checkReference(index, context, reference, `${selectorPointer}/references/${j}`),
      );
    });
  });
  return findings;
}

/** One claim reference, read leniently. */
interface Reference {
  pointer: string;
  group: string;
  resource: string;
  /** `<resource>.<group>`, for messages. */
  key: string;
  /** Whether `jsonPath` is a mapping (findings about its fields point at it). */
  hasJsonPath: boolean;
  namePath: string | undefined;
  namespacePath: string | undefined;
  /** Its own versions, possibly empty. */
  versions: string[];
}

function checkReference(
  index: RepositoryIndex,
  context: ClaimContext,
  entry: unknown,
  pointer: string,
): Finding[] {
  const resource = asString(field(entry, "resource"));
  if (resource === undefined) return [];
  const group = asString(field(entry, "group")) ?? "";
  const jsonPath = asRecord(field(entry, "jsonPath"));
  const reference: Reference = {
    pointer,
    group,
    resource,
    key: `${resource}.${group}`,
    hasJsonPath: jsonPath !== undefined,
    namePath: asNonBlank(jsonPath?.name)?.trim(),
    namespacePath: asNonBlank(jsonPath?.namespace)?.trim(),
    versions: asStringArray(field(entry, "versions")) ?? [],
  };
  return [
    ...checkReferenceShape(context, reference),
    ...checkReferenceSchema(index, context, reference),
  ];
}

/** What a reference says by itself and about the export: `not-exported`, names, namespaces. */
function checkReferenceShape(context: ClaimContext, reference: Reference): Finding[] {
  const { document, isolation, resources } = context;
  const { key, pointer } = reference;
  const findings: Finding[] = [];
  const exported = exportedResource(context, reference);
  if (resources !== undefined && exported === undefined && isolation !== "None") {
    findings.push(
      documentFinding(
        "claim-reference-not-exported",
        document,
        pointer,
        `the reference reads ${key}, which ${isolation === undefined ? context.what : "the binding's template"} does not export; kube-bind ignores it unless the isolation is None`,
      ),
    );
  }
  const jsonPathPointer = reference.hasJsonPath ? `${pointer}/jsonPath` : pointer;
  if (reference.namePath === undefined) {
    findings.push(
      documentFinding(
        "claim-reference-missing-name",
        document,
        jsonPathPointer,
        `the reference from ${key} has no jsonPath.name, so it matches nothing`,
      ),
    );
  }
  if (reference.namespacePath === undefined && isolation !== "Namespaced") {
    const when =
      isolation === undefined
        ? "unless the isolation is Namespaced"
        : `with isolation ${isolation}`;
    findings.push(
      documentFinding(
        "claim-reference-any-namespace",
        document,
        jsonPathPointer,
        `the reference from ${key} has no jsonPath.namespace: ${when}, an object of the referenced name in any namespace is claimed`,
      ),
    );
  }
  if (reference.versions.length === 0 && resources !== undefined && !exported?.versions?.length) {
    findings.push(
      documentFinding(
        "claim-reference-version-unknown",
        document,
        pointer,
        `the reference from ${key} has no versions and ${exported ? `the exported resource ${key} lists none either` : `${key} is not an exported resource`}, so nothing is listed and nothing matches`,
      ),
    );
  }
  return findings;
}

/** The versions a reference reads resolve in the referencing CRD, and its paths lead to names. */
function checkReferenceSchema(
  index: RepositoryIndex,
  context: ClaimContext,
  reference: Reference,
): Finding[] {
  const { document, exportFile } = context;
  const { key, pointer, group, resource } = reference;
  const findings: Finding[] = [];
  const reported = new Set<string>();
  const paths = [
    ["name", reference.namePath],
    ["namespace", reference.namespacePath],
  ] as const;
  const unknownPath = (name: string, message: string) => {
    reported.add(name);
    findings.push(
      documentFinding(
        "claim-reference-path-unknown",
        document,
        `${pointer}/jsonPath/${name}`,
        message,
      ),
    );
  };
  // Paths into metadata mean the same in every kind: checked whether or not the CRD is known.
  for (const [name, path] of paths) {
    if (path === undefined || !objectMetaPath.test(path)) continue;
    const result = walkGjsonPath({}, path);
    if (result.status === "missing") {
      unknownPath(name, `jsonPath.${name} does not lead to a name of ${key}: ${result.message}`);
    } else reported.add(name);
  }

  const own = reference.versions;
  const versions = own.length > 0 ? own : (exportedResource(context, reference)?.versions ?? []);
  if (group === "" || exportFile === undefined || versions.length === 0) return findings;
  const { crd } = index.findCrd(group, resource, exportFile);
  if (crd === undefined) return findings;

  versions.forEach((version, k) => {
    const served = crd.versions.find((v) => v.name === version && v.served);
    if (served === undefined) {
      const list = crd.versions.filter((v) => v.served).map((v) => v.name);
      findings.push(
        documentFinding(
          "claim-reference-version-unknown",
          document,
          own.length > 0 ? `${pointer}/versions/${k}` : pointer,
          `the reference from ${key} reads version ${version}, which its CustomResourceDefinition does not serve (served: ${list.length > 0 ? list.join(", ") : "none"})`,
        ),
      );
      return;
    }
    for (const [name, path] of paths) {
      if (served.schema === undefined || path === undefined || reported.has(name)) continue;
      const result = walkGjsonPath(served.schema, path);
      if (result.status !== "missing") continue;
      unknownPath(
        name,
        `jsonPath.${name} does not lead to a name of ${key} ${version}: ${result.message}`,
      );
    }
  });
  return findings;
}

function exportedResource(context: ClaimContext, reference: Reference): ExportResource | undefined {
  return context.resources?.find(
    (r) => r.group === reference.group && r.resource === reference.resource,
  );
}
