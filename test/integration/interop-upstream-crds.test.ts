import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { pino } from "pino";
import { connectCluster, type ConnectedCluster } from "../../src/kube/connect-cluster.js";
import { installCrds } from "../../src/kube/install-crd.js";
import type { KubeObject, ObjectRef } from "../../src/kube/kube-client.js";
import { clusterStartTimeoutMs, clusters } from "../support/clusters.js";
import { readCrds } from "../support/read-manifests.js";
import { repoRoot, sharedDir } from "../support/repo-root.js";

type Json = Record<string, unknown>;

const shared = sharedDir();
const upstreamDir =
  shared === undefined ? undefined : path.join(shared, "reference", "kube-bind", "crds");
const examplesDir = path.join(repoRoot, "examples", "providers");

const run = `interop-${Date.now().toString(36)}`;
const claim = {
  // The core group is the empty string: every kube-bind claim on Secrets or ConfigMaps has one.
  group: "",
  resource: "secrets",
  selector: { labelSelector: { matchLabels: { app: "cowboy" } } },
};
const resources = [{ group: "wildwest.dev", resource: "cowboys", versions: ["v1alpha1"] }];
const secretRef = { name: "kubeconfig", key: "kubeconfig" };

/**
 * One minimal valid object per upstream kind (v1alpha2), written from the kube-bind spec. A new
 * upstream kind without an entry here fails the test, so the list stays complete.
 */
const samples: Record<string, { namespaced: boolean; name?: string; spec: Json }> = {
  APIConversion: {
    namespaced: false,
    spec: {
      conversions: [
        { from: "v1alpha1", to: "v1alpha2", rules: [{ field: ".spec.a", destination: ".spec.b" }] },
      ],
    },
  },
  APIServiceBindingBundle: {
    namespaced: false,
    spec: { kubeconfigSecretRef: { ...secretRef, namespace: "kube-bind" } },
  },
  APIServiceBinding: {
    namespaced: false,
    spec: { kubeconfigSecretRef: { ...secretRef, namespace: "kube-bind" } },
  },
  APIServiceExportTemplate: {
    namespaced: false,
    spec: {
      description: "Cowboys, with the Secrets they carry",
      scope: "Namespaced",
      resources,
      permissionClaims: [claim],
      namespaces: [{ name: "saloon" }],
      schemaUpdatePolicy: "Never",
    },
  },
  Cluster: { namespaced: false, spec: {} },
  Collection: { namespaced: false, spec: { templates: [{ name: "cowboys" }] } },
  APIServiceExportRequest: {
    namespaced: true,
    spec: { resources, permissionClaims: [claim], namespaces: [{ name: "saloon" }] },
  },
  APIServiceExport: {
    namespaced: true,
    spec: { resources, permissionClaims: [claim], informerScope: "Cluster", isolation: "Prefixed" },
  },
  APIServiceNamespace: { namespaced: true, spec: {} },
  BindableResourcesRequest: {
    namespaced: true,
    spec: {
      templateRef: { name: "cowboys" },
      clusterIdentity: { identity: "3f1e2d4c-0000-4000-8000-000000000001", prettyName: "consumer" },
      author: "bindops",
    },
  },
  BoundSchema: {
    namespaced: true,
    spec: {
      group: "wildwest.dev",
      names: { plural: "cowboys", singular: "cowboy", kind: "Cowboy", listKind: "CowboyList" },
      scope: "Namespaced",
      informerScope: "Cluster",
      versions: [
        {
          name: "v1alpha1",
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: { type: "object", properties: { spec: { type: "object" } } },
          },
        },
      ],
    },
  },
  // Its CEL rule allows only this name.
  ClusterBinding: {
    namespaced: true,
    name: "cluster",
    spec: { kubeconfigSecretRef: secretRef, providerPrettyName: "Provider" },
  },
};

interface CrdFacts {
  group: string;
  kind: string;
  namespaced: boolean;
  storage: string;
  schema: Json;
}

function factsOf(crd: KubeObject): CrdFacts {
  const spec = crd.spec as {
    group: string;
    scope: string;
    names: { kind: string };
    versions: { name: string; storage: boolean; schema?: { openAPIV3Schema?: Json } }[];
  };
  const storage = spec.versions.find((v) => v.storage) ?? spec.versions[0]!;
  return {
    group: spec.group,
    kind: spec.names.kind,
    namespaced: spec.scope === "Namespaced",
    storage: storage.name,
    schema: storage.schema?.openAPIV3Schema ?? {},
  };
}

function assertEstablished(crd: KubeObject): void {
  const conditions = (crd.status as { conditions?: { type: string; status: string }[] }).conditions;
  assert.equal(
    conditions?.find((c) => c.type === "Established")?.status,
    "True",
    `${crd.metadata.name} is established`,
  );
}

(upstreamDir && existsSync(upstreamDir) ? describe : describe.skip)(
  `interop: upstream kube-bind CRDs in a real API server${
    upstreamDir ? "" : " (skipped: ../shared/reference/kube-bind is absent)"
  }`,
  function () {
    this.timeout(180_000);
    let cluster: ConnectedCluster;
    const created: ObjectRef[] = [];
    const logger = pino({ level: "silent" });

    before(async function () {
      this.timeout(clusterStartTimeoutMs);
      const { interop } = await clusters();
      cluster = await connectCluster(interop.name, {
        kubeconfigDir: path.dirname(interop.kubeconfigPath),
        env: {},
      });
      await cluster.client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: run } });
    });

    after(async () => {
      if (!cluster) return;
      for (const ref of created.reverse()) {
        await cluster.client.delete(ref).catch(() => undefined);
      }
      await cluster.client
        .delete({ apiVersion: "v1", kind: "Namespace", name: run })
        .catch(() => undefined);
      cluster.client.close();
    });

    it("installs every upstream CRD, unmodified on disk, and creates one object of each kind", async () => {
      const crds = readCrds(upstreamDir!);
      assert.ok(crds.length >= 12, `found ${crds.length} CRDs in ${upstreamDir}`);
      const onDisk = JSON.stringify(crds);

      // Another manager may have installed kube-bind's CRDs already (bindops ships its own).
      const installed = await installCrds(cluster.client, crds, { logger, force: true });
      assert.equal(JSON.stringify(crds), onDisk, "the CRDs read from disk are left as they were");
      installed.forEach((i) => assertEstablished(i.crd));

      const missing = crds.map((c) => factsOf(c).kind).filter((k) => !(k in samples));
      assert.deepEqual(missing, [], "every upstream kind has a sample object in this test");

      for (const crd of crds) {
        const facts = factsOf(crd);
        const sample = samples[facts.kind]!;
        assert.equal(sample.namespaced, facts.namespaced, `${facts.kind} scope`);
        const name = sample.name ?? `${run}-${facts.kind.toLowerCase()}`;
        const object: KubeObject = {
          apiVersion: `${facts.group}/${facts.storage}`,
          kind: facts.kind,
          metadata: { name, ...(facts.namespaced ? { namespace: run } : {}) },
          spec: sample.spec,
        };
        const live = await cluster.client.apply(object);
        created.push({
          apiVersion: object.apiVersion,
          kind: facts.kind,
          name,
          ...(facts.namespaced ? { namespace: run } : {}),
        });
        assert.equal(live.metadata.name, name);
        const claims = (live.spec as { permissionClaims?: { group: string }[] }).permissionClaims;
        if (claims)
          assert.equal(claims[0]?.group, "", `${facts.kind} keeps group: "" of its claim`);
      }
    });

    const examples = existsSync(examplesDir)
      ? readdirSync(examplesDir).filter((p) => existsSync(path.join(examplesDir, p, "crds")))
      : [];
    if (examples.length === 0) {
      it("installs the example providers' CRDs (skipped: examples/providers/*/crds is absent)");
    }
    for (const provider of examples) {
      it(`installs the CRDs of examples/providers/${provider} and creates one object of each`, async () => {
        const crds = readCrds(path.join(examplesDir, provider, "crds"));
        assert.ok(crds.length > 0, `examples/providers/${provider}/crds holds CRDs`);
        const installed = await installCrds(cluster.client, crds, { logger, force: true });
        installed.forEach((i) => assertEstablished(i.crd));
        for (const crd of crds) {
          const facts = factsOf(crd);
          const name = `${run}-${facts.kind.toLowerCase()}`;
          const body = minimalValue(facts.schema, facts.kind) as Json;
          const object: KubeObject = {
            ...body,
            apiVersion: `${facts.group}/${facts.storage}`,
            kind: facts.kind,
            metadata: { name, ...(facts.namespaced ? { namespace: run } : {}) },
          };
          const live = await cluster.client.apply(object);
          created.push({
            apiVersion: object.apiVersion,
            kind: facts.kind,
            name,
            ...(facts.namespaced ? { namespace: run } : {}),
          });
          assert.equal(live.metadata.name, name);
          assert.deepEqual(
            Object.keys((live.spec as Json | undefined) ?? {}).sort(),
            Object.keys((object.spec as Json | undefined) ?? {})
              .concat(defaultedKeys(facts.schema))
              .filter((k, i, all) => all.indexOf(k) === i)
              .sort(),
            `${facts.kind}: the server kept the spec and applied the schema's defaults`,
          );
        }
      });
    }
  },
);

/** Top-level spec properties that carry a default, which the server fills in. */
function defaultedKeys(schema: Json): string[] {
  const spec = (schema.properties as Record<string, Json> | undefined)?.spec;
  const properties = (spec?.properties as Record<string, Json> | undefined) ?? {};
  return Object.entries(properties)
    .filter(([, p]) => p.default !== undefined)
    .map(([k]) => k);
}

/**
 * The smallest value a structural schema accepts: required properties only, the first enum
 * value, defaults and examples where given, and for patterned strings the first of a few common
 * shapes that fits. Example CRDs are written by people; this follows them as they change.
 */
function minimalValue(schema: Json, name: string): unknown {
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (schema["x-kubernetes-int-or-string"] === true) return 1;
  switch (schema.type) {
    case "object": {
      const properties = (schema.properties as Record<string, Json> | undefined) ?? {};
      const required = (schema.required as string[] | undefined) ?? [];
      const value: Json = {};
      for (const key of required) {
        if (key === "apiVersion" || key === "kind" || key === "metadata") continue;
        value[key] = minimalValue(properties[key] ?? {}, key);
      }
      return value;
    }
    case "array": {
      const count = typeof schema.minItems === "number" ? schema.minItems : 0;
      return Array.from({ length: count }, (_, i) =>
        minimalValue((schema.items as Json | undefined) ?? {}, `${name}-${i}`),
      );
    }
    case "integer":
    case "number":
      return typeof schema.minimum === "number" ? Math.max(schema.minimum, 1) : 1;
    case "boolean":
      return true;
    case "string":
      return minimalString(schema, name);
    default:
      return {};
  }
}

function minimalString(schema: Json, name: string): string {
  if (schema.format === "date-time") return "2024-01-01T00:00:00Z";
  if (typeof schema.example === "string") return schema.example;
  const kebab = name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/^-/, "");
  const candidates = [kebab, "example", "x", "a1", "v1", "1", "1Gi", "30d", "0 3 * * *"];
  const pattern = typeof schema.pattern === "string" ? new RegExp(schema.pattern) : undefined;
  const min = typeof schema.minLength === "number" ? schema.minLength : 0;
  const max = typeof schema.maxLength === "number" ? schema.maxLength : Infinity;
  const fit = candidates.find(
    (c) => c.length >= min && c.length <= max && (pattern === undefined || pattern.test(c)),
  );
  assert.ok(fit !== undefined, `no sample value for ${name} fits ${JSON.stringify(schema)}`);
  return fit;
}
