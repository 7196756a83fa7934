import assert from "node:assert/strict";
import { specHash } from "../../../src/backend/bound-schema.js";
import { clusterNamespaceName } from "../../../src/backend/cluster-namespace-name.js";
import type {
  BoundSchema,
  ExportRequest,
  ServiceExport,
} from "../../../src/core/kube-bind-objects.js";
import { planRequest, type RequestWorld } from "../../../src/backend/plan-request.js";
import type { KubeObject } from "../../../src/kube/kube-client.js";

const now = new Date("2026-11-30T10:00:00.000Z");
const ns = "kube-bind-abc";

function crd(plural: string, group: string, scope = "Namespaced", served = ["v1"]): KubeObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.${group}`, labels: { "kube-bind.io/exported": "true" } },
    spec: {
      group,
      scope,
      names: { plural, singular: plural.slice(0, -1), kind: "Thing", listKind: "ThingList" },
      versions: served.map((name, i) => ({
        name,
        served: true,
        storage: i === 0,
        schema: { openAPIV3Schema: { type: "object" } },
      })),
    },
  };
}

function request(spec: Partial<ExportRequest["spec"]> = {}, ageMs = 0): ExportRequest {
  return {
    apiVersion: "kube-bind.io/v1alpha2",
    kind: "APIServiceExportRequest",
    metadata: {
      name: "databases",
      namespace: ns,
      creationTimestamp: new Date(now.getTime() - ageMs).toISOString(),
    },
    spec: {
      resources: [{ group: "dbaas.example.com", resource: "postgresclusters", versions: ["v1"] }],
      ...spec,
    },
  };
}

function world(overrides: Partial<RequestWorld> = {}): RequestWorld {
  const crds = [crd("postgresclusters", "dbaas.example.com")];
  return {
    request: request(),
    exportedCrds: new Map(crds.map((c) => [c.metadata.name, c])),
    boundSchemas: new Map(),
    export: undefined,
    apiServiceNamespaces: new Set(),
    settings: { informerScope: "Namespaced", isolation: "Prefixed" },
    schemaGraceMs: 60_000,
    now,
    ...overrides,
  };
}

/** Applies a plan to a world as the controller would, the server filling in uids. */
function applied(w: RequestWorld, plan: ReturnType<typeof planRequest>): RequestWorld {
  const boundSchemas = new Map(w.boundSchemas);
  for (const b of plan.boundSchemas) boundSchemas.set(b.metadata.name, b);
  const exp: ServiceExport | undefined = plan.export
    ? { ...plan.export, metadata: { ...plan.export.metadata, uid: "export-uid" } }
    : w.export;
  const names = new Set(w.apiServiceNamespaces);
  for (const n of plan.namespaces) names.add(n.metadata.name);
  return {
    ...w,
    boundSchemas,
    export: exp,
    apiServiceNamespaces: names,
    request: { ...w.request, status: plan.status },
  };
}

const condition = (plan: ReturnType<typeof planRequest>, type: string) =>
  plan.status.conditions?.find((c) => c.type === type);

describe("planRequest (the backend's request controller, pure)", () => {
  it("binds a request in passes: schemas and export first, then namespaces and Succeeded", () => {
    let w = world({ request: request({ namespaces: [{ name: "orders" }] }) });
    const first = planRequest(w);
    assert.deepEqual(
      first.boundSchemas.map((b) => b.metadata.name),
      ["postgresclusters.dbaas.example.com"],
    );
    const bs = first.boundSchemas[0]!;
    assert.equal(bs.metadata.annotations?.["kube-bind.io/source-spec-hash"], specHash(bs.spec));
    assert.deepEqual(
      (bs.spec.versions[0]!.schema as { openAPIV3Schema: unknown }).openAPIV3Schema,
      { type: "object" },
      "the schema stays in its openAPIV3Schema wrapper",
    );
    assert.equal(first.export?.metadata.name, "databases", "one export named after the request");
    assert.equal(first.export?.spec.informerScope, "Namespaced");
    assert.equal(first.export?.spec.isolation, "Prefixed");
    assert.equal(first.status.phase, "Pending");
    assert.deepEqual(first.namespaces, [], "namespaces wait for the export's uid");

    w = applied(w, first);
    const second = planRequest(w);
    assert.equal(second.export, undefined, "the export is never written twice");
    assert.deepEqual(
      second.namespaces.map((n) => [n.metadata.name, n.metadata.labels?.["kube-bind.io/owner"]]),
      [["orders", "provider"]],
    );
    assert.equal(
      (second.boundSchemas[0]?.metadata.ownerReferences?.[0] as { uid: string }).uid,
      "export-uid",
      "the BoundSchema gets a controller reference to the export",
    );
    assert.equal(second.status.phase, "Succeeded");
    assert.equal(condition(second, "Ready")?.status, "True");
    assert.equal(condition(second, "ExportsReady")?.status, "True");

    w = applied(w, second);
    const third = planRequest(w);
    assert.deepEqual(
      [third.boundSchemas, third.export, third.namespaces],
      [[], undefined, []],
      "a converged request plans no writes",
    );
    assert.deepEqual(third.status, w.request.status, "and its status does not change");
  });

  it("fails at once on a claim that cannot be claimed, naming it", () => {
    const plan = planRequest(
      world({
        request: request({
          permissionClaims: [{ group: "apps", resource: "deployments", selector: {} }],
        }),
      }),
    );
    assert.equal(plan.status.phase, "Failed");
    assert.match(plan.status.terminalMessage ?? "", /deployments\.apps/);
    assert.equal(condition(plan, "PermissionClaim")?.reason, "InvalidPermissionClaim");
    assert.equal(plan.export, undefined);
  });

  it("fails at once on a duplicate claim", () => {
    const claim = { group: "", resource: "secrets", selector: {} };
    const plan = planRequest(world({ request: request({ permissionClaims: [claim, claim] }) }));
    assert.equal(plan.status.phase, "Failed");
    assert.equal(condition(plan, "PermissionClaim")?.reason, "DuplicatePermissionClaim");
  });

  it("fails on a version the CRD does not serve, and on resources of different scopes", () => {
    const unserved = planRequest(
      world({
        request: request({
          resources: [
            { group: "dbaas.example.com", resource: "postgresclusters", versions: ["v9"] },
          ],
        }),
      }),
    );
    assert.equal(unserved.status.phase, "Failed");
    assert.match(unserved.status.terminalMessage ?? "", /does not serve version v9/);

    const crds = [
      crd("postgresclusters", "dbaas.example.com"),
      crd("backupplans", "dbaas.example.com", "Cluster"),
    ];
    const mixed = planRequest(
      world({
        exportedCrds: new Map(crds.map((c) => [c.metadata.name, c])),
        request: request({
          resources: [
            { group: "dbaas.example.com", resource: "postgresclusters", versions: ["v1"] },
            { group: "dbaas.example.com", resource: "backupplans", versions: ["v1"] },
          ],
        }),
      }),
    );
    assert.equal(mixed.status.phase, "Failed");
    assert.equal(condition(mixed, "ExportsReady")?.reason, "DifferentScopes");
  });

  it("waits for a missing CRD within the grace period, then fails with SchemaNotFound", () => {
    const missing = request({
      resources: [{ group: "x.dev", resource: "widgets", versions: ["v1"] }],
    });
    const young = planRequest(world({ request: missing }));
    assert.equal(young.status.phase, "Pending");
    assert.equal(condition(young, "ExportsReady")?.reason, "SchemaNotFound");
    assert.ok((young.requeueAfterMs ?? 0) > 0, "it looks again when the grace runs out");

    const old = planRequest(
      world({
        request: {
          ...missing,
          metadata: { ...missing.metadata, creationTimestamp: "2026-11-30T09:58:00Z" },
        },
      }),
    );
    assert.equal(old.status.phase, "Failed");
    assert.match(old.status.terminalMessage ?? "", /no exported schema widgets\.x\.dev/);
  });

  it("replaces a changed schema under Always, keeps it under Never", () => {
    for (const policy of ["Always", "Never"] as const) {
      let w = world({ request: request({ schemaUpdatePolicy: policy }) });
      w = applied(w, planRequest(w));
      w = applied(w, planRequest(w));
      const changed = crd("postgresclusters", "dbaas.example.com", "Namespaced", ["v1", "v2"]);
      w = { ...w, exportedCrds: new Map([[changed.metadata.name, changed]]) };
      const plan = planRequest(w);
      const written = plan.boundSchemas.map((b: BoundSchema) => b.spec.versions.length);
      assert.deepEqual(written, policy === "Always" ? [2] : [], policy);
      if (policy === "Always")
        assert.ok(plan.requeueAfterMs, "Always re-reads the CRDs periodically");
    }
  });

  it("writes Namespaced-isolation schemas as cluster-scoped, per the request's annotations", () => {
    const r = request();
    r.metadata.annotations = {
      "bindops.dev/isolation": "Namespaced",
      "bindops.dev/informer-scope": "Cluster",
    };
    const plan = planRequest(world({ request: r }));
    assert.equal(plan.boundSchemas[0]?.spec.scope, "Cluster");
    assert.equal(plan.boundSchemas[0]?.spec.informerScope, "Cluster");
    assert.equal(plan.export?.spec.isolation, "Namespaced");
  });

  it("leaves a Failed request alone", () => {
    const r = request();
    r.status = { phase: "Failed", terminalMessage: "earlier" };
    const plan = planRequest(world({ request: r }));
    assert.deepEqual(
      [plan.boundSchemas, plan.export, plan.status.phase],
      [[], undefined, "Failed"],
    );
  });
});

describe("clusterNamespaceName", () => {
  it("derives the namespace as kube-bind does: base36 of SHA-224's first 8 bytes", () => {
    // Known answers computed with Go's crypto/sha256.Sum224 and strconv.FormatUint(…, 36).
    assert.equal(
      clusterNamespaceName("3f1e2d4c-0000-4000-8000-000000000001"),
      "kube-bind-3fbfoa0x9ybp5",
    );
    assert.equal(clusterNamespaceName("ui-identity", "cluster-"), "cluster-bwulhnhj65lb");
  });
});
