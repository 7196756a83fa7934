import assert from "node:assert/strict";
import { parse } from "yaml";
import type { KubeObject } from "../../../src/core/kube-object.js";
import { bindingStatusYaml } from "../../../src/plan/binding-status.js";
import { desiredBindings } from "../../../src/plan/desired-state.js";
import { bindingShardKey, shardOf } from "../../../src/core/shard-of.js";
import {
  adoptsForeignObject,
  desiredInventory,
  inventoryEntry,
  isForeignInventory,
  readableInventory,
  takeoverDue,
  pruneCandidates,
  pruneDecision,
  sharedInventory,
} from "../../../src/plan/inventory.js";
import type { ModelBinding, RepositoryModel } from "../../../src/plan/repository-model.js";

const template: KubeObject = {
  apiVersion: "kube-bind.io/v1alpha2",
  kind: "APIServiceExportTemplate",
  metadata: { name: "databases" },
  spec: { resources: [{ group: "dbaas.example.com", resource: "postgresclusters" }] },
};

function binding(name: string, options: Partial<ModelBinding> = {}): ModelBinding {
  return {
    name,
    provider: "provider",
    consumer: "consumer",
    template: "databases",
    namespaces: [],
    claims: [],
    suspend: false,
    rawClaims: [],
    ...options,
  } as ModelBinding;
}

function model(bindings: ModelBinding[]): RepositoryModel {
  return {
    clusters: new Map([
      ["provider", "provider"],
      ["consumer", "consumer"],
    ]),
    providers: new Map([["provider", { crds: [], templates: new Map([["databases", template]]) }]]),
    bindings,
    statusPath: "status",
    statusAuthor: undefined,
  };
}

const entries = (inventory: Map<string, { kind: string; name: string }[]>, cluster: string) =>
  (inventory.get(cluster) ?? []).map((k) => `${k.kind} ${k.name}`).sort();

describe("the inventory: what a reconcile keeps and what it prunes", () => {
  it("keeps every binding git has, a suspended one with the kubeconfig Secret it reads", () => {
    const m = model([binding("orders-db", { suspend: true })]);
    const { planned } = desiredBindings(m, () => "kube-bind-abc", "rev");
    const inventory = desiredInventory(m, planned);
    assert.deepEqual(entries(inventory, "provider"), [
      "APIServiceExportRequest orders-db",
      "APIServiceExportTemplate databases",
    ]);
    assert.deepEqual(entries(inventory, "consumer"), [
      "APIServiceBinding orders-db",
      "Secret kubeconfig-provider",
    ]);
  });

  it("keeps in a shard's inventory the kubeconfig Secret that another shard's bindings read", () => {
    const whole = model([binding("orders-db"), binding("billing-db")]);
    // This shard's only binding was deleted; billing-db, of another shard, still reads the Secret.
    const shard = model([]);
    const own = desiredInventory(shard, desiredBindings(shard, () => "ns", "r").planned);
    const before = ["Secret kubeconfig-provider"];
    assert.deepEqual(entries(own, "consumer"), [], "alone, the shard would prune it");
    assert.deepEqual(entries(sharedInventory(whole, own), "consumer"), before);
  });

  it("prunes what git no longer has, never what bindops does not own or a held-back binding's", () => {
    const m = model([binding("orders-db")]);
    const before = desiredInventory(
      model([binding("orders-db"), binding("billing-db")]),
      desiredBindings(model([binding("orders-db"), binding("billing-db")]), () => "ns", "r")
        .planned,
    );
    const now = desiredInventory(m, desiredBindings(m, () => "ns", "r").planned);
    const candidates = pruneCandidates(before.get("provider")!, now.get("provider")!);
    assert.deepEqual(candidates.map(inventoryEntry), [
      "kube-bind.io/v1alpha2|APIServiceExportRequest|ns|billing-db",
    ]);
    const live = (labels: Record<string, string>): KubeObject => ({
      apiVersion: "kube-bind.io/v1alpha2",
      kind: "APIServiceExportRequest",
      metadata: { name: "billing-db", namespace: "ns", labels },
    });
    const ours = {
      "bindops.dev/managed-by": "bindops",
      "bindops.dev/binding": "consumer.billing-db",
    };
    assert.equal(pruneDecision(live(ours)), "prune");
    assert.equal(pruneDecision(undefined), "gone");
    assert.equal(pruneDecision(live({})), "not-ours", "someone took the object over");
    assert.equal(pruneDecision(live(ours), new Set(["consumer.billing-db"])), "keep");
  });

  it("leaves out a request whose cluster namespace is unknown, so pruning keeps the live one", () => {
    const m = model([binding("orders-db")]);
    const { planned } = desiredBindings(m, () => "", "rev");
    assert.deepEqual(entries(desiredInventory(m, planned), "provider"), [
      "APIServiceExportTemplate databases",
    ]);
  });
});

describe("the inventory: another layout's, taken over", () => {
  it("knows the inventories of other layouts, and not its own layout's other shards", () => {
    const one = "bindops-inventory";
    const shard = (i: number, n: number) => `bindops-inventory-shard-${i}-of-${n}`;
    assert.equal(isForeignInventory(shard(0, 2), one), true);
    assert.equal(isForeignInventory(one, shard(1, 2)), true);
    assert.equal(isForeignInventory(shard(0, 3), shard(0, 2)), true, "--shards changed");
    assert.equal(isForeignInventory(shard(1, 2), shard(0, 2)), false, "a sibling shard's");
    assert.equal(isForeignInventory(one, one), false);
    assert.equal(isForeignInventory("bindops-inventory-backup", one), false, "not an inventory");
    assert.equal(isForeignInventory("app-config", one), false);
  });

  it("is taken over once its own layout has not recorded it for the delay, and never when unreadable", () => {
    const at = (time: string, operation: "Apply" | "Update"): KubeObject => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "bindops-inventory",
        creationTimestamp: "2026-01-01T00:00:00Z",
        managedFields: [
          { manager: "bindops", operation: "Apply", time: "2026-01-01T00:00:00Z" },
          { manager: "bindops", operation, time },
        ],
      },
      data: { objects: '["v1|Secret|kube-bind|kubeconfig-provider"]' },
    });
    const minute = 60_000;
    const now = Date.parse("2026-01-01T00:30:00Z");
    // Recorded (applied) 5 minutes ago by its replicas: not yet.
    assert.equal(takeoverDue(at("2026-01-01T00:25:00Z", "Apply"), now, 10 * minute), false);
    // Another layout struck entries 5 minutes ago: that is no sign of its own replicas.
    assert.equal(takeoverDue(at("2026-01-01T00:25:00Z", "Update"), now, 10 * minute), true);
    // Recorded at every pass, changed or not: the annotation says when, whatever the applies say.
    const recorded = at("2026-01-01T00:00:00Z", "Apply");
    recorded.metadata.annotations = { "bindops.dev/recorded-at": "2026-01-01T00:29:00Z" };
    assert.equal(takeoverDue(recorded, now, 10 * minute), false);
    assert.deepEqual(
      readableInventory(at("2026-01-01T00:25:00Z", "Apply"))?.[0]?.name,
      "kubeconfig-provider",
    );
    const broken = { ...at("2026-01-01T00:25:00Z", "Apply"), data: { objects: "[not json" } };
    assert.equal(readableInventory(broken), undefined, "left alone, never emptied");
  });

  it("gives a binding's objects to the shard of the binding, shared ones to every shard", () => {
    const labelled = (label?: string): KubeObject => ({
      apiVersion: "kube-bind.io/v1alpha2",
      kind: "APIServiceExportRequest",
      metadata: { name: "x", ...(label ? { labels: { "bindops.dev/binding": label } } : {}) },
    });
    // A binding name with dots: the consumer (a DNS label) ends at the first one.
    const owner = shardOf(bindingShardKey("edge", "db.v2"), 3);
    for (let index = 0; index < 3; index++) {
      assert.equal(
        adoptsForeignObject(labelled("edge.db.v2"), { index, count: 3 }),
        index === owner,
      );
      assert.equal(adoptsForeignObject(labelled(), { index, count: 3 }), true, "shared");
    }
    assert.equal(adoptsForeignObject(labelled("edge.db.v2"), undefined), true, "one replica");
  });
});

describe("BindingStatus: hand edits reverted", () => {
  const observation = {
    consumer: "consumer",
    binding: "orders-db",
    revision: "rev",
    suspended: false,
    request: { phase: "Succeeded" },
    exports: ["orders-db"],
    bound: true,
  };
  const drifted = (text: string) =>
    (
      parse(text) as {
        status: { conditions: { type: string; message?: string; lastTransitionTime: string }[] };
      }
    ).status.conditions.find((c) => c.type === "Drifted");

  it("says which objects and fields were reverted, keeps its time while the same edit recurs, and goes once nothing drifted", () => {
    const edits = [
      'consumer: APIServiceBinding orders-db: metadata.labels["team"] (by kubectl-label)',
    ];
    const first = bindingStatusYaml(
      { ...observation, handEdits: edits },
      undefined,
      new Date("2026-01-01T00:00:00Z"),
    );
    assert.match(
      drifted(first)?.message ?? "",
      /APIServiceBinding orders-db: metadata\.labels\["team"\] \(by kubectl-label\)/,
    );
    const again = bindingStatusYaml(
      { ...observation, handEdits: edits },
      first,
      new Date("2026-01-02T00:00:00Z"),
    );
    assert.equal(again, first, "the same edit again: the same bytes");
    const calm = bindingStatusYaml(observation, again, new Date("2026-01-03T00:00:00Z"));
    assert.equal(drifted(calm), undefined);
    assert.equal(bindingStatusYaml(observation, calm, new Date("2026-01-04T00:00:00Z")), calm);
  });

  it("never reports drift for a suspended binding", () => {
    const text = bindingStatusYaml(
      { ...observation, suspended: true, handEdits: ["anything"] },
      undefined,
      new Date(),
    );
    assert.equal(drifted(text), undefined);
  });
});
