import type { Finding } from "../../../src/core/finding.js";
import type { ManifestDocument } from "../../../src/core/manifest.js";

/** A document at `file` (index 0, line 1 unless given). */
export function doc(
  file: string,
  value: Record<string, unknown>,
  index = 0,
  line = 1,
): ManifestDocument {
  return { file, index, line, col: 1, value };
}

export function repositoryDoc(
  clusters: Record<string, unknown> = {
    provider: { role: "provider" },
    consumer: { role: "consumer" },
  },
  file = "bindops.yaml",
  paths?: Record<string, string>,
): ManifestDocument {
  return doc(file, {
    apiVersion: "bindops.dev/v1alpha1",
    kind: "Repository",
    metadata: { name: "acme" },
    spec: { clusters, ...(paths ? { paths } : {}) },
  });
}

/** The schema of the `databases` CRD: a secret reference and a list of extra secrets. */
export const databaseSchema = {
  type: "object",
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: { type: "object" },
    spec: {
      type: "object",
      properties: {
        secretName: { type: "string" },
        credentialsRef: {
          type: "object",
          properties: { name: { type: "string" }, namespace: { type: "string" } },
        },
        extraSecrets: {
          type: "array",
          items: { type: "object", properties: { name: { type: "string" } } },
        },
        replicas: { type: "integer" },
        parameters: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
      },
    },
  },
};

export function crdDoc(
  options: {
    group?: string;
    plural?: string;
    kind?: string;
    scope?: string;
    name?: string;
    exported?: boolean;
    versions?: { name: string; served?: boolean; schema?: unknown }[];
  } = {},
  file = "providers/provider/crds/databases.yaml",
): ManifestDocument {
  const group = options.group ?? "example.com";
  const plural = options.plural ?? "databases";
  const versions = options.versions ?? [{ name: "v1" }];
  return doc(file, {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: options.name ?? `${plural}.${group}`,
      ...(options.exported === false ? {} : { labels: { "kube-bind.io/exported": "true" } }),
    },
    spec: {
      group,
      names: { kind: options.kind ?? "Database", plural },
      scope: options.scope ?? "Namespaced",
      versions: versions.map((v) => ({
        name: v.name,
        served: v.served ?? true,
        storage: true,
        schema: { openAPIV3Schema: v.schema ?? databaseSchema },
      })),
    },
  });
}

/** A claim on Secrets with the given selector. */
export function secretsClaim(selector: unknown): Record<string, unknown> {
  return { group: "", resource: "secrets", selector };
}

export const referenceToSecretName = {
  group: "example.com",
  resource: "databases",
  jsonPath: { name: "spec.secretName", namespace: "metadata.namespace" },
};

export function templateDoc(
  options: {
    name?: string;
    scope?: string;
    resources?: unknown[];
    claims?: unknown[];
    namespaces?: string[];
  } = {},
  file = "providers/provider/templates/databases.yaml",
): ManifestDocument {
  return doc(file, {
    apiVersion: "kube-bind.io/v1alpha2",
    kind: "APIServiceExportTemplate",
    metadata: { name: options.name ?? "databases" },
    spec: {
      scope: options.scope ?? "Namespaced",
      resources: options.resources ?? [
        { group: "example.com", resource: "databases", versions: ["v1"] },
      ],
      permissionClaims: options.claims ?? [
        secretsClaim({
          labelSelector: { matchLabels: { "example.com/credentials": "true" } },
          references: [referenceToSecretName],
        }),
      ],
      ...(options.namespaces ? { namespaces: options.namespaces.map((name) => ({ name })) } : {}),
    },
  });
}

export function bindingDoc(
  options: {
    name?: string;
    provider?: string;
    consumer?: string;
    template?: string;
    isolation?: string;
    claims?: unknown[];
    namespaces?: string[];
  } = {},
  file = "consumers/consumer/bindings/orders-db.yaml",
): ManifestDocument {
  return doc(file, {
    apiVersion: "bindops.dev/v1alpha1",
    kind: "ServiceBinding",
    metadata: { name: options.name ?? "orders-db" },
    spec: {
      consumer: options.consumer ?? "consumer",
      provider: options.provider ?? "provider",
      template: options.template ?? "databases",
      ...(options.isolation ? { isolation: options.isolation } : {}),
      ...(options.namespaces ? { namespaces: options.namespaces.map((name) => ({ name })) } : {}),
      permissionClaims: options.claims ?? [
        secretsClaim({
          labelSelector: { matchLabels: { "example.com/credentials": "true", app: "orders" } },
        }),
      ],
    },
  });
}

/** A repository the checks find nothing wrong with. */
export function cleanRepository(): ManifestDocument[] {
  return [repositoryDoc(), crdDoc(), templateDoc(), bindingDoc()];
}

/** `[rule, file, pointer]` of each finding of the given rule, for compact assertions. */
export function where(findings: readonly Finding[], rule: string): [string, string | undefined][] {
  return findings.filter((f) => f.rule === rule).map((f) => [f.location.file, f.location.pointer]);
}

export function rulesOf(findings: readonly Finding[]): string[] {
  return [...new Set(findings.map((f) => f.rule))].sort();
}

/** The message of the first finding of `rule` (fails the test when there is none). */
export function messageOf(findings: readonly Finding[], rule: string): string {
  const finding = findings.find((f) => f.rule === rule);
  if (finding === undefined) throw new Error(`no ${rule} finding`);
  return finding.message;
}
