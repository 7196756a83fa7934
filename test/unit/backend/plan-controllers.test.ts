import assert from "node:assert/strict";
import type { ServiceExport } from "../../../src/core/kube-bind-objects.js";
import {
  clusterBindingHealth,
  parseGoDuration,
} from "../../../src/backend/plan-cluster-binding-health.js";
import { planExportRbac } from "../../../src/backend/plan-export-rbac.js";
import {
  orphanedProviderNamespaces,
  planServiceNamespace,
} from "../../../src/backend/plan-service-namespace.js";
import { setCondition, setReadySummary } from "../../../src/core/kube-bind-conditions.js";
import type { KubeObject } from "../../../src/kube/kube-client.js";

const clusterNs: KubeObject = {
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name: "kube-bind-abc", uid: "ns-uid" },
};

function exportOf(informerScope: "Cluster" | "Namespaced"): ServiceExport {
  return {
    apiVersion: "kube-bind.io/v1alpha2",
    kind: "APIServiceExport",
    metadata: { name: "databases", namespace: "kube-bind-abc" },
    spec: {
      resources: [{ group: "dbaas.example.com", resource: "postgresclusters", versions: ["v1"] }],
      permissionClaims: [{ group: "", resource: "secrets", selector: {} }],
      informerScope,
      isolation: "Prefixed",
    },
  };
}

describe("planExportRbac", () => {
  it("grants a Namespaced export only through Roles in the consumer's own namespaces", () => {
    const objects = planExportRbac({
      export: exportOf("Namespaced"),
      clusterNamespace: clusterNs,
      providerNamespaces: ["kube-bind-abc-orders"],
    });
    assert.deepEqual(
      objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`).sort(),
      [
        "Role kube-bind-abc-orders/kube-binder-claims-databases",
        "Role kube-bind-abc-orders/kube-binder-resources-databases",
        "Role kube-bind-abc/kube-binder-claims-databases",
        "Role kube-bind-abc/kube-binder-resources-databases",
        "RoleBinding kube-bind-abc-orders/kube-binder-claims-databases",
        "RoleBinding kube-bind-abc-orders/kube-binder-resources-databases",
        "RoleBinding kube-bind-abc/kube-binder-claims-databases",
        "RoleBinding kube-bind-abc/kube-binder-resources-databases",
      ],
    );
    const binding = objects.find((o) => o.kind === "RoleBinding")!;
    assert.deepEqual(binding.subjects, [
      { kind: "ServiceAccount", name: "kube-binder", namespace: "kube-bind-abc" },
    ]);
    const claims = objects.find((o) => o.metadata.name === "kube-binder-claims-databases")!;
    assert.deepEqual(claims.rules, [
      {
        apiGroups: [""],
        resources: ["secrets"],
        verbs: ["get", "list", "watch", "create", "update", "patch", "delete"],
      },
    ]);
  });

  it("grants a Cluster export through ClusterRoles aggregated for that consumer only", () => {
    const objects = planExportRbac({
      export: exportOf("Cluster"),
      clusterNamespace: clusterNs,
      providerNamespaces: [],
    });
    assert.deepEqual(
      objects.map((o) => `${o.kind} ${o.metadata.name}`),
      [
        "ClusterRole kube-binder-resources-kube-bind-abc-databases",
        "ClusterRole kube-binder-claims-kube-bind-abc-databases",
      ],
    );
    for (const o of objects) {
      assert.equal(o.metadata.labels?.["rbac.kube-bind.io/aggregate-to-parent"], "true");
      assert.equal(o.metadata.labels?.["bindops.dev/cluster-namespace"], "kube-bind-abc");
    }
  });
});

describe("planServiceNamespace", () => {
  const asn = (status?: { namespace: string }): KubeObject => ({
    apiVersion: "kube-bind.io/v1alpha2",
    kind: "APIServiceNamespace",
    metadata: { name: "orders", namespace: "kube-bind-abc" },
    spec: {},
    ...(status ? { status } : {}),
  });

  it("names the provider namespace <cluster namespace>-<name>, or <name> under None", () => {
    const prefixed = planServiceNamespace(asn(), "Prefixed", new Set());
    assert.equal(prefixed.namespace?.metadata.name, "kube-bind-abc-orders");
    assert.equal(
      prefixed.namespace?.metadata.annotations?.["kube-bind.io/api-service-namespace"],
      "kube-bind-abc/orders",
    );
    assert.equal(prefixed.statusNamespace, "kube-bind-abc-orders");
    assert.equal(planServiceNamespace(asn(), "None", new Set()).statusNamespace, "orders");
  });

  it("keeps a written status.namespace and plans nothing once both exist", () => {
    const done = planServiceNamespace(asn({ namespace: "kept" }), "Prefixed", new Set(["kept"]));
    assert.deepEqual(done, { namespace: undefined, statusNamespace: undefined });
  });

  it("finds only the namespaces it created for APIServiceNamespaces that are gone", () => {
    const ns = (name: string, ref?: string): KubeObject => ({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name,
        ...(ref ? { annotations: { "kube-bind.io/api-service-namespace": ref } } : {}),
      },
    });
    assert.deepEqual(
      orphanedProviderNamespaces(
        [
          ns("kube-bind-abc-orders", "kube-bind-abc/orders"),
          ns("orders"),
          ns("kube-bind-abc-x", "kube-bind-abc/x"),
        ],
        [asn()],
      ),
      ["kube-bind-abc-x"],
    );
  });
});

describe("clusterBindingHealth", () => {
  const now = new Date("2026-11-30T10:00:00Z");
  it("follows the konnector's heartbeat: pending, healthy, timed out, drifted", () => {
    assert.equal(clusterBindingHealth({}, now).condition.reason, "FirstHeartbeatPending");
    const fresh = clusterBindingHealth(
      { lastHeartbeatTime: "2026-11-30T09:58:00Z", heartbeatInterval: "5m0s" },
      now,
    );
    assert.equal(fresh.condition.status, "True");
    assert.ok(fresh.recheckAfterMs! > 0 && fresh.recheckAfterMs! <= 10 * 60_000);
    const late = clusterBindingHealth(
      { lastHeartbeatTime: "2026-11-30T09:49:00Z", heartbeatInterval: "5m0s" },
      now,
    );
    assert.equal(late.condition.reason, "HeartbeatTimeout");
    assert.equal(late.condition.severity, "Error");
    const ahead = clusterBindingHealth(
      { lastHeartbeatTime: "2026-11-30T10:01:00Z", heartbeatInterval: "5m0s" },
      now,
    );
    assert.equal(ahead.condition.reason, "HeartbeatTimeDrift");
  });

  it("reads Go durations", () => {
    assert.equal(parseGoDuration("5m0s"), 300_000);
    assert.equal(parseGoDuration("1h30m"), 5_400_000);
    assert.equal(parseGoDuration("250ms"), 250);
    assert.equal(parseGoDuration("five minutes"), undefined);
  });
});

describe("kube-bind conditions", () => {
  const t1 = new Date("2026-11-30T10:00:00.123Z");
  const t2 = new Date("2026-11-30T11:00:00Z");
  it("keeps lastTransitionTime when nothing but the time changes, in whole seconds", () => {
    const first = setCondition([], { type: "ExportsReady", status: "True" }, t1);
    assert.equal(first[0]?.lastTransitionTime, "2026-11-30T10:00:00Z");
    const again = setCondition(first, { type: "ExportsReady", status: "True" }, t2);
    assert.deepEqual(again, first);
    const changed = setCondition(
      first,
      { type: "ExportsReady", status: "False", severity: "Error", reason: "SchemaNotFound" },
      t2,
    );
    assert.equal(changed[0]?.lastTransitionTime, "2026-11-30T11:00:00Z");
  });

  it("summarises Ready from the worst group, Ready first and the rest by type", () => {
    let c = setCondition([], { type: "PermissionClaim", status: "True" }, t1);
    c = setCondition(
      c,
      { type: "ExportsReady", status: "False", severity: "Warning", reason: "Slow" },
      t1,
    );
    c = setCondition(
      c,
      { type: "Zeta", status: "False", severity: "Error", reason: "Broken", message: "m" },
      t1,
    );
    const summary = setReadySummary(c, t1);
    assert.deepEqual(
      summary.map((x) => x.type),
      ["Ready", "ExportsReady", "PermissionClaim", "Zeta"],
    );
    assert.deepEqual(
      [summary[0]?.status, summary[0]?.severity, summary[0]?.reason, summary[0]?.message],
      ["False", "Error", "Broken", "m"],
    );
    assert.deepEqual(setReadySummary([], t1), [], "no conditions, no Ready");
  });
});
