import assert from "node:assert/strict";
import {
  isolationStrategy,
  KeyMapper,
  parseKey,
  type IsolationStrategy,
  type NamespaceMapping,
} from "../../../src/sync/isolation.js";

const clusterNamespace = "kube-bind-x7k2p";

/** The backend assigned a provider namespace to team-a only. */
const namespaces: NamespaceMapping = {
  providerNamespace: (consumer) =>
    consumer === "team-a" ? `${clusterNamespace}-team-a` : undefined,
  consumerNamespace: (provider) =>
    provider === `${clusterNamespace}-team-a` ? "team-a" : undefined,
};

const mapper = (strategy: IsolationStrategy) =>
  new KeyMapper(strategy, clusterNamespace, namespaces);

describe("isolationStrategy", () => {
  it("maps a namespaced consumer kind by service namespace, whatever the export's isolation", () => {
    for (const isolation of ["None", "Prefixed", "Namespaced", undefined]) {
      assert.equal(isolationStrategy("Namespaced", isolation), "ServiceNamespaced");
    }
  });

  it("follows the export's isolation for a cluster-scoped kind, None when unknown", () => {
    assert.equal(isolationStrategy("Cluster", "Prefixed"), "Prefixed");
    assert.equal(isolationStrategy("Cluster", "Namespaced"), "Namespaced");
    assert.equal(isolationStrategy("Cluster", "None"), "None");
    assert.equal(isolationStrategy("Cluster", undefined), "None");
    assert.equal(isolationStrategy("Cluster", "prefixed"), "None");
  });
});

describe("KeyMapper", () => {
  describe("ServiceNamespaced", () => {
    const m = mapper("ServiceNamespaced");

    it("puts an object in the provider namespace assigned to its consumer namespace", () => {
      assert.deepEqual(m.toProvider({ namespace: "team-a", name: "orders" }), {
        namespace: `${clusterNamespace}-team-a`,
        name: "orders",
      });
      assert.deepEqual(m.toConsumer({ namespace: `${clusterNamespace}-team-a`, name: "orders" }), {
        namespace: "team-a",
        name: "orders",
      });
    });

    it("has no provider key before the backend assigned the namespace", () => {
      assert.equal(m.toProvider({ namespace: "team-b", name: "orders" }), undefined);
    });

    it("ignores provider objects in namespaces mapped for no consumer namespace", () => {
      assert.equal(
        m.toConsumer({ namespace: "kube-bind-other-team-a", name: "orders" }),
        undefined,
      );
      assert.equal(m.toConsumer({ namespace: "", name: "orders" }), undefined);
    });
  });

  describe("None", () => {
    const m = mapper("None");

    it("keeps a cluster-scoped object's name on both sides", () => {
      assert.deepEqual(m.toProvider({ namespace: "", name: "orders" }), {
        namespace: "",
        name: "orders",
      });
      assert.deepEqual(m.toConsumer({ namespace: "", name: "orders" }), {
        namespace: "",
        name: "orders",
      });
    });

    it("maps every cluster-scoped provider object back, but no namespaced one", () => {
      assert.deepEqual(m.toConsumer({ namespace: "", name: `${clusterNamespace}-orders` }), {
        namespace: "",
        name: `${clusterNamespace}-orders`,
      });
      assert.equal(m.toConsumer({ namespace: clusterNamespace, name: "orders" }), undefined);
    });
  });

  describe("Prefixed", () => {
    const m = mapper("Prefixed");

    it("prefixes the name with the cluster namespace on the provider and strips it back", () => {
      assert.deepEqual(m.toProvider({ namespace: "", name: "orders" }), {
        namespace: "",
        name: `${clusterNamespace}-orders`,
      });
      assert.deepEqual(m.toConsumer({ namespace: "", name: `${clusterNamespace}-orders` }), {
        namespace: "",
        name: "orders",
      });
    });

    it("strips the prefix once only", () => {
      const name = `${clusterNamespace}-${clusterNamespace}-orders`;
      assert.deepEqual(m.toConsumer({ namespace: "", name }), {
        namespace: "",
        name: `${clusterNamespace}-orders`,
      });
    });

    it("ignores provider objects without the whole prefix, or with nothing after it", () => {
      for (const name of [
        "orders",
        clusterNamespace,
        `${clusterNamespace}-`,
        `${clusterNamespace}x-orders`,
        `other-${clusterNamespace}-orders`,
      ]) {
        assert.equal(m.toConsumer({ namespace: "", name }), undefined, name);
      }
    });

    it("ignores namespaced provider objects, even prefixed ones", () => {
      assert.equal(
        m.toConsumer({ namespace: clusterNamespace, name: `${clusterNamespace}-orders` }),
        undefined,
      );
    });
  });

  describe("Namespaced", () => {
    const m = mapper("Namespaced");

    it("puts a cluster-scoped consumer object in the cluster namespace on the provider", () => {
      assert.deepEqual(m.toProvider({ namespace: "", name: "orders" }), {
        namespace: clusterNamespace,
        name: "orders",
      });
      assert.deepEqual(m.toConsumer({ namespace: clusterNamespace, name: "orders" }), {
        namespace: "",
        name: "orders",
      });
    });

    it("ignores provider objects outside the cluster namespace", () => {
      assert.equal(m.toConsumer({ namespace: "kube-bind-other", name: "orders" }), undefined);
      assert.equal(m.toConsumer({ namespace: "", name: "orders" }), undefined);
    });
  });

  it("maps every consumer key back to itself", () => {
    const keys = {
      ServiceNamespaced: { namespace: "team-a", name: "orders" },
      None: { namespace: "", name: "orders" },
      Prefixed: { namespace: "", name: "orders" },
      Namespaced: { namespace: "", name: "orders" },
    };
    for (const [strategy, key] of Object.entries(keys)) {
      const m = mapper(strategy as IsolationStrategy);
      assert.deepEqual(m.toConsumer(m.toProvider(key)!), key, strategy);
    }
  });

  it("has the cluster namespace own provider copies only when they are cluster-scoped", () => {
    assert.equal(mapper("None").ownedByClusterNamespace(), true);
    assert.equal(mapper("Prefixed").ownedByClusterNamespace(), true);
    assert.equal(mapper("Namespaced").ownedByClusterNamespace(), false);
    assert.equal(mapper("ServiceNamespaced").ownedByClusterNamespace(), false);
  });
});

describe("parseKey", () => {
  it("reads namespace/name and a bare name as cluster-scoped", () => {
    assert.deepEqual(parseKey("team-a/orders"), { namespace: "team-a", name: "orders" });
    assert.deepEqual(parseKey("orders"), { namespace: "", name: "orders" });
  });
});
