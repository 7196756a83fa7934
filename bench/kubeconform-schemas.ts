/**
 * A local schema folder for kubeconform, which otherwise downloads its schemas: strict JSON
 * Schemas of the corpus's ConfigMaps and of the examples' custom resources (PostgresCluster,
 * PostgresBackup, from their CRDs), so that kubeconform checks 80% of the corpus's documents
 * offline. Its kinds without a schema here (ServiceBinding, APIServiceExportRequest) are skipped
 * with `-ignore-missing-schemas`. Files are named `{kind}-{group}-{version}.json`, the layout
 * `schemaLocation` returns.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadAll } from "js-yaml";

type Schema = Record<string, unknown>;

/** Writes the schemas into `dir` (created if missing). */
export function writeKubeconformSchemas(dir: string, crdFolder: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "configmap-v1-v1.json"), JSON.stringify(configMapSchema()));
  for (const file of readdirSync(crdFolder)) {
    for (const doc of loadAll(readFileSync(path.join(crdFolder, file), "utf8"))) {
      const crd = doc as {
        kind?: string;
        spec?: {
          group: string;
          names: { kind: string };
          versions: { name: string; schema: { openAPIV3Schema: Schema } }[];
        };
      };
      if (crd?.kind !== "CustomResourceDefinition" || crd.spec === undefined) continue;
      for (const version of crd.spec.versions) {
        const name = `${crd.spec.names.kind.toLowerCase()}-${crd.spec.group}-${version.name}.json`;
        writeFileSync(
          path.join(dir, name),
          JSON.stringify(strict(version.schema.openAPIV3Schema, true)),
        );
      }
    }
  }
}

/** kubeconform's `-schema-location` for the folder. */
export function kubeconformSchemaLocation(dir: string): string {
  return path.join(dir, "{{ .ResourceKind }}-{{ .Group }}-{{ .ResourceAPIVersion }}.json");
}

/** What kubeconform's strict schemas do: no field beyond those declared; ObjectMeta at the root. */
function strict(schema: Schema, root: boolean): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith("x-kubernetes-")) continue;
    if (key === "properties") {
      const properties: Schema = {};
      for (const [name, sub] of Object.entries(value as Record<string, Schema>)) {
        properties[name] = strict(sub, false);
      }
      if (root) properties.metadata = objectMeta();
      out.properties = properties;
    } else if (key === "items" || key === "additionalProperties") {
      out[key] = typeof value === "object" ? strict(value as Schema, false) : value;
    } else {
      out[key] = value;
    }
  }
  if (out.properties !== undefined && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

const stringMap = () => ({ type: ["object", "null"], additionalProperties: { type: "string" } });

function objectMeta(): Schema {
  return {
    type: "object",
    additionalProperties: false,
    properties: {
      name: { type: ["string", "null"] },
      generateName: { type: ["string", "null"] },
      namespace: { type: ["string", "null"] },
      uid: { type: ["string", "null"] },
      resourceVersion: { type: ["string", "null"] },
      generation: { type: ["integer", "null"] },
      creationTimestamp: { type: ["string", "null"], format: "date-time" },
      deletionTimestamp: { type: ["string", "null"], format: "date-time" },
      deletionGracePeriodSeconds: { type: ["integer", "null"] },
      labels: stringMap(),
      annotations: stringMap(),
      finalizers: { type: ["array", "null"], items: { type: "string" } },
      ownerReferences: { type: ["array", "null"], items: { type: "object" } },
      managedFields: { type: ["array", "null"], items: { type: "object" } },
    },
  };
}

function configMapSchema(): Schema {
  return {
    type: "object",
    required: ["apiVersion", "kind"],
    additionalProperties: false,
    properties: {
      apiVersion: { type: ["string", "null"], enum: ["v1"] },
      kind: { type: ["string", "null"], enum: ["ConfigMap"] },
      metadata: objectMeta(),
      data: stringMap(),
      binaryData: {
        type: ["object", "null"],
        additionalProperties: { type: "string", format: "byte" },
      },
      immutable: { type: ["boolean", "null"] },
    },
  };
}
