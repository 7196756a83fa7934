import type { Finding } from "../core/finding.js";
import type { CrdFacts } from "../core/crd-facts.js";
import { typeMetaOf } from "../core/manifest.js";
import {
  builtinKinds,
  builtinValidator,
  builtinVersions,
  kubernetesValidator,
} from "./builtin-schemas.js";
import { crdVersionSchema } from "./crd-version-schema.js";
import type { JsonSchema } from "./json-schema.js";
import {
  SchemaCompiler,
  type DocumentValidator,
  type KindValidator,
  type SchemaSource,
} from "./kind-validator.js";
import { kubeBindGroup } from "./kube-bind-kinds.js";

export type { DocumentValidator, KindValidator, SchemaSource } from "./kind-validator.js";

export type SchemaLookup =
  | { status: "found"; validator: KindValidator }
  | { status: "unknown-kind" }
  /** The kind is known, but not at this version (or its CRD does not serve it). */
  | { status: "unknown-version"; source: SchemaSource; served: string[] };

/**
 * Every schema `validate` checks documents against: bindops's and kube-bind's kinds (shipped),
 * Kubernetes's built-in kinds (kubernetes-models), and CRDs added from the repository. Each
 * schema is compiled once, on first use.
 */
export interface SchemaRegistry {
  lookup(apiVersion: string, kind: string): SchemaLookup;
  /** The compiled (fast) validator of a kind, or `undefined` when the kind is not known. */
  validatorFor(apiVersion: string, kind: string): DocumentValidator | undefined;
  /**
   * Makes a CRD's kinds known. Returns findings for what makes the CRD unusable or refused by
   * the API server beyond its published schema (name, storage versions, schema structure); the
   * CRD document's own shape is checked by validating it like any other document.
   */
  addCrd(crd: CrdFacts): Finding[];
  /** The kinds of a group the registry has schemas for (shipped ones and CRDs'), sorted. */
  kinds(group: string): string[];
}

export function createSchemaRegistry(): SchemaRegistry {
  return new Registry();
}

const groupOf = (apiVersion: string) => typeMetaOf({ apiVersion, kind: "" })?.group ?? "";

interface CrdVersion {
  name: string;
  served: boolean;
  schema: JsonSchema;
  validator?: KindValidator;
}

interface CrdEntry {
  crd: CrdFacts;
  group: string;
  kind: string;
  versions: Map<string, CrdVersion>;
}

class Registry implements SchemaRegistry {
  private readonly compiler = new SchemaCompiler();
  private readonly customResources = new Map<string, CrdEntry>();
  /** Lookups by apiVersion, then kind: documents of one kind are many. Cleared by `addCrd`. */
  private readonly lookups = new Map<string, Map<string, SchemaLookup>>();

  lookup(apiVersion: string, kind: string): SchemaLookup {
    let byKind = this.lookups.get(apiVersion);
    if (byKind === undefined) {
      byKind = new Map();
      this.lookups.set(apiVersion, byKind);
    }
    let found = byKind.get(kind);
    if (found === undefined) {
      found = this.find(apiVersion, kind);
      byKind.set(kind, found);
    }
    return found;
  }

  private find(apiVersion: string, kind: string): SchemaLookup {
    const builtin = builtinValidator(apiVersion, kind);
    if (builtin !== undefined) return { status: "found", validator: builtin };
    const group = groupOf(apiVersion);
    const version = apiVersion.slice(apiVersion.lastIndexOf("/") + 1);
    const crd = this.customResources.get(`${group} ${kind}`);
    const crdVersion = crd?.versions.get(version);
    if (crdVersion?.served === true) {
      crdVersion.validator ??= this.compiler.compile("crd", crdVersion.schema);
      return { status: "found", validator: crdVersion.validator };
    }
    const versions = builtinVersions(group, kind);
    if (versions !== undefined) {
      const source = group === kubeBindGroup ? "kube-bind" : "bindops";
      return { status: "unknown-version", source, served: versions };
    }
    if (crd !== undefined) {
      const served = [...crd.versions.values()].filter((v) => v.served).map((v) => v.name);
      return { status: "unknown-version", source: "crd", served };
    }
    const kubernetes = kubernetesValidator(apiVersion, kind);
    return kubernetes === undefined
      ? { status: "unknown-kind" }
      : { status: "found", validator: kubernetes };
  }

  kinds(group: string): string[] {
    const fromCrds = [...this.customResources.values()]
      .filter((entry) => entry.group === group)
      .map((entry) => entry.kind);
    return [...new Set([...builtinKinds(group), ...fromCrds])].sort();
  }

  validatorFor(apiVersion: string, kind: string): DocumentValidator | undefined {
    const found = this.lookup(apiVersion, kind);
    return found.status === "found" ? found.validator.validate : undefined;
  }

  addCrd(crd: CrdFacts): Finding[] {
    const { document, group, kind, plural, name } = crd;
    const findings: Finding[] = [];
    const report = (severity: Finding["severity"], pointer: string, message: string) =>
      findings.push({
        severity,
        rule: "crd-schema",
        message,
        location: { file: document.file, document: document.index, pointer },
      });
    // Missing or mistyped basics are reported by the CRD document's own schema check.
    if (group === undefined || kind === undefined || plural === undefined) return findings;
    if (name !== undefined && name !== `${plural}.${group}`) {
      report(
        "error",
        "/metadata/name",
        `metadata.name must be "${plural}.${group}" (<spec.names.plural>.<spec.group>), not "${name}"`,
      );
    }
    const groupKind = `${group} ${kind}`;
    const existing = this.customResources.get(groupKind)?.crd.document;
    const same = existing?.file === document.file && existing.index === document.index;
    if (existing !== undefined && !same) {
      // The same CRD in several clusters' folders (a Flux layout) is one definition, compiled once.
      if (JSON.stringify(existing.value.spec) === JSON.stringify(document.value.spec)) {
        return findings;
      }
      report(
        "warning",
        "/spec/names/kind",
        `${kind}.${group} is also defined by the CRD in ${existing.file}; that definition is used`,
      );
      return findings;
    }
    const versions = this.crdVersions(crd, report);
    this.lookups.clear();
    this.customResources.set(groupKind, {
      crd,
      group,
      kind,
      versions: new Map(versions.map((v) => [v.name, v])),
    });
    return findings;
  }

  private crdVersions(
    crd: CrdFacts,
    report: (severity: Finding["severity"], pointer: string, message: string) => void,
  ): CrdVersion[] {
    const versions: CrdVersion[] = [];
    for (const { name, served } of crd.versions) {
      const converted = crdVersionSchema(crd.document.value, name);
      if (converted === undefined) continue;
      for (const problem of converted.problems) {
        report(problem.severity, problem.pointer, problem.message);
      }
      versions.push({ name, served, schema: converted.schema });
    }
    const storage = crd.versions.filter((v) => v.storage).length;
    if (versions.length > 0 && storage !== 1) {
      report(
        "error",
        "/spec/versions",
        `exactly one version must have storage: true (${storage} do)`,
      );
    }
    return versions;
  }
}
