import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { parse } from "yaml";
import { devRequest, type DevEndpoint } from "../support/dev-request.js";
import { connect as tlsConnect } from "node:tls";
import { controlPlaneServers } from "../../src/dev/control-plane-servers.js";
import { devPaths } from "../../src/dev/dev-paths.js";
import { readDevState } from "../../src/dev/dev-state.js";
import {
  clusterStartTimeoutMs,
  clusters,
  stateDirOf,
  type TestClusters,
} from "../support/clusters.js";
import { eventually } from "../support/eventually.js";
import { testNamespace, type TestNamespace } from "../support/namespace.js";

interface KubeconfigFile {
  "current-context": string;
  clusters: { name: string; cluster: { server: string; "certificate-authority-data": string } }[];
  users: { name: string; user: { token: string } }[];
}

/** What a client that only reads the kubeconfig file would use. */
function endpointFromKubeconfig(file: string): DevEndpoint {
  const config = parse(readFileSync(file, "utf8")) as KubeconfigFile;
  const name = config["current-context"];
  const cluster = config.clusters.find((c) => c.name === name)!.cluster;
  const user = config.users.find((u) => u.name === name)!.user;
  return {
    server: cluster.server,
    token: user.token,
    ca: Buffer.from(cluster["certificate-authority-data"], "base64").toString("utf8"),
  };
}

const names = (list: unknown): string[] =>
  (list as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name);

describe("local control plane (dev up)", function () {
  let c: TestClusters;
  const cleanups: TestNamespace[] = [];

  before(async function () {
    this.timeout(clusterStartTimeoutMs);
    c = await clusters();
  });
  after(async () => {
    for (const ns of cleanups) await ns.cleanup();
  });

  it("serves /readyz on the provider and the consumer API server", async () => {
    for (const cluster of [c.provider, c.consumer]) {
      const res = await devRequest(cluster, { path: "/readyz" });
      assert.equal(res.status, 200, `${cluster.name}: ${res.text}`);
      assert.equal(res.text, "ok");
    }
    assert.notEqual(c.provider.server, c.consumer.server);
  });

  it("writes a private kubeconfig whose token and CA list namespaces", async () => {
    assert.equal(statSync(c.consumer.kubeconfigPath).mode & 0o777, 0o600);
    const res = await devRequest(endpointFromKubeconfig(c.consumer.kubeconfigPath), {
      path: "/api/v1/namespaces",
    });
    assert.equal(res.status, 200, res.text);
    assert.ok(names(res.json).includes("default"));
    assert.ok(names(res.json).includes("kube-system"));
  });

  it(`runs the current Kubernetes, ${controlPlaneServers.current.version}`, async () => {
    for (const cluster of [c.provider, c.consumer]) {
      const res = await devRequest(cluster, { path: "/version" });
      assert.equal(res.status, 200, res.text);
      const version = res.json as { gitVersion: string; major: string; minor: string };
      assert.equal(version.gitVersion, `v${controlPlaneServers.current.version}`);
      assert.equal(
        `${version.major}.${version.minor}`,
        controlPlaneServers.current.version.replace(/\.\d+$/, ""),
      );
    }
  });

  it("keeps etcd to the API servers: TLS with client certificates only", async () => {
    const stateDir = await stateDirOf("current");
    const state = await readDevState(devPaths(stateDir).stateFile);
    assert.ok(state);
    const port = state.etcd.clientPort;
    const ca = readFileSync(devPaths(stateDir).pki.caCert, "utf8");
    // Plain http to the client port gets no data.
    const plain = await fetch(`http://127.0.0.1:${port}/v3/kv/range`, {
      method: "POST",
      body: JSON.stringify({ key: Buffer.from("/").toString("base64") }),
    }).then(
      (r) => r.status,
      () => "refused",
    );
    assert.notEqual(plain, 200);
    // TLS without a client certificate: etcd ends the handshake.
    const outcome = await new Promise<string>((resolve) => {
      const socket = tlsConnect({ host: "127.0.0.1", port, ca, servername: "localhost" }, () => {
        socket.write("POST /v3/kv/range HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
      });
      let text = "";
      socket.on("data", (d: Buffer) => (text += d.toString()));
      socket.on("error", (e: Error) => resolve(`error: ${e.message}`));
      socket.on("close", () => resolve(text.length > 0 ? text : "closed"));
    });
    assert.doesNotMatch(outcome, /^HTTP\/1\.1 200/, outcome);
    // The key files are private.
    assert.equal(statSync(devPaths(stateDir).pki.caKey).mode & 0o777, 0o600);
    assert.equal(statSync(devPaths(stateDir).pki.etcdClientKey).mode & 0o777, 0o600);
  });

  it("cascades deletion to dependents (garbage collector)", async function () {
    this.timeout(60_000);
    const ns = await testNamespace(c.provider, "gc");
    cleanups.push(ns);
    const base = `/api/v1/namespaces/${ns.name}/configmaps`;
    const owner = await devRequest(c.provider, {
      method: "POST",
      path: base,
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "owner" } },
    });
    assert.equal(owner.status, 201, owner.text);
    const uid = (owner.json as { metadata: { uid: string } }).metadata.uid;
    const dependent = await devRequest(c.provider, {
      method: "POST",
      path: base,
      body: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name: "dependent",
          ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "owner", uid }],
        },
      },
    });
    assert.equal(dependent.status, 201, dependent.text);
    await devRequest(c.provider, { method: "DELETE", path: `${base}/owner` });
    await eventually(
      "the dependent ConfigMap to be collected",
      async () =>
        (await devRequest(c.provider, { path: `${base}/dependent` })).status === 404
          ? true
          : undefined,
      45_000,
    );
  });

  it("fills an aggregated ClusterRole with the rules of the roles it selects", async function () {
    this.timeout(60_000);
    const suffix = Date.now().toString(36);
    const label = `bindops.dev/aggregate-to-it-${suffix}`;
    const rbac = "/apis/rbac.authorization.k8s.io/v1/clusterroles";
    const aggregate = `it-aggregate-${suffix}`;
    const part = `it-part-${suffix}`;
    try {
      const a = await devRequest(c.provider, {
        method: "POST",
        path: rbac,
        body: {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "ClusterRole",
          metadata: { name: aggregate },
          aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [label]: "true" } }] },
        },
      });
      assert.equal(a.status, 201, a.text);
      const p = await devRequest(c.provider, {
        method: "POST",
        path: rbac,
        body: {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "ClusterRole",
          metadata: { name: part, labels: { [label]: "true" } },
          rules: [{ apiGroups: ["wildwest.dev"], resources: ["cowboys"], verbs: ["get", "list"] }],
        },
      });
      assert.equal(p.status, 201, p.text);
      const rules = await eventually("the aggregated ClusterRole to be filled", async () => {
        const r = await devRequest(c.provider, { path: `${rbac}/${aggregate}` });
        const found = (r.json as { rules?: { resources?: string[] }[] }).rules ?? [];
        return found.length > 0 ? found : undefined;
      });
      assert.deepEqual(rules[0]?.resources, ["cowboys"]);
    } finally {
      await devRequest(c.provider, { method: "DELETE", path: `${rbac}/${aggregate}` });
      await devRequest(c.provider, { method: "DELETE", path: `${rbac}/${part}` });
    }
  });

  it("refuses a wrong token", async () => {
    const res = await devRequest(
      { ...c.provider, token: "not-the-token" },
      { path: "/api/v1/namespaces" },
    );
    assert.equal(res.status, 401);
  });

  it("keeps the provider's and the consumer's objects apart", async () => {
    const ns = await testNamespace(c.provider, "only-provider");
    cleanups.push(ns);
    const onProvider = await devRequest(c.provider, { path: `/api/v1/namespaces/${ns.name}` });
    const onConsumer = await devRequest(c.consumer, { path: `/api/v1/namespaces/${ns.name}` });
    assert.equal(onProvider.status, 200);
    assert.equal(onConsumer.status, 404);
  });

  it('accepts "" in a custom resource\'s string fields, set and defaulted', async function () {
    this.timeout(60_000);
    const group = "it.bindops.dev";
    const crdName = `claims.${group}`;
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: crdName },
      spec: {
        group,
        scope: "Namespaced",
        names: { plural: "claims", singular: "claim", kind: "Claim", listKind: "ClaimList" },
        versions: [
          {
            name: "v1alpha1",
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: "object",
                properties: {
                  spec: {
                    type: "object",
                    properties: {
                      group: { type: "string" },
                      resource: { type: "string" },
                      prefix: { type: "string", default: "" },
                    },
                  },
                },
              },
            },
          },
        ],
      },
    };
    const crdPath = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    const created = await devRequest(c.provider, { method: "POST", path: crdPath, body: crd });
    assert.equal(created.status, 201, created.text);
    try {
      const ns = await testNamespace(c.provider, "empty-string");
      cleanups.push(ns);
      const path = `/apis/${group}/v1alpha1/namespaces/${ns.name}/claims`;
      const claim = {
        apiVersion: `${group}/v1alpha1`,
        kind: "Claim",
        metadata: { name: "secrets" },
        spec: { group: "", resource: "secrets" },
      };
      // The new resource is served a moment after the CRD is accepted.
      const res = await eventually("the Claim resource to be served", async () => {
        const r = await devRequest(c.provider, { method: "POST", path, body: claim });
        return r.status === 404 ? undefined : r;
      });
      assert.equal(res.status, 201, res.text);
      const stored = await devRequest(c.provider, { path: `${path}/secrets` });
      assert.deepEqual((stored.json as { spec: unknown }).spec, {
        group: "",
        resource: "secrets",
        prefix: "",
      });
    } finally {
      await devRequest(c.provider, { method: "DELETE", path: `${crdPath}/${crdName}` });
    }
  });

  it("finishes deleting a namespace and what it holds", async function () {
    this.timeout(60_000);
    const ns = await testNamespace(c.consumer, "doomed");
    cleanups.push(ns);
    const cm = await devRequest(c.consumer, {
      method: "POST",
      path: `/api/v1/namespaces/${ns.name}/configmaps`,
      body: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "settings" },
        data: { a: "1" },
      },
    });
    assert.equal(cm.status, 201, cm.text);
    await ns.cleanup();
    await eventually(
      `namespace ${ns.name} to disappear`,
      async () =>
        (await devRequest(c.consumer, { path: `/api/v1/namespaces/${ns.name}` })).status === 404
          ? true
          : undefined,
      45_000,
    );
  });

  it("fills a service-account token Secret with a token the API server accepts", async function () {
    this.timeout(60_000);
    const ns = await testNamespace(c.provider, "tokens");
    cleanups.push(ns);
    const base = `/api/v1/namespaces/${ns.name}`;
    const sa = await devRequest(c.provider, {
      method: "POST",
      path: `${base}/serviceaccounts`,
      body: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "konnector" } },
    });
    assert.equal(sa.status, 201, sa.text);
    const secret = await devRequest(c.provider, {
      method: "POST",
      path: `${base}/secrets`,
      body: {
        apiVersion: "v1",
        kind: "Secret",
        type: "kubernetes.io/service-account-token",
        metadata: {
          name: "konnector-token",
          annotations: { "kubernetes.io/service-account.name": "konnector" },
        },
      },
    });
    assert.equal(secret.status, 201, secret.text);
    const data = await eventually("the token Secret to be filled", async () => {
      const r = await devRequest(c.provider, { path: `${base}/secrets/konnector-token` });
      const d = (r.json as { data?: Record<string, string> }).data;
      return d?.token ? d : undefined;
    });
    const decode = (v: string | undefined) => Buffer.from(v ?? "", "base64").toString("utf8");
    assert.equal(decode(data.namespace), ns.name);
    assert.equal(decode(data["ca.crt"]), c.provider.ca);
    const asRobot = { ...c.provider, token: decode(data.token) };
    // Authenticated (discovery is open to every authenticated user), but RBAC grants nothing else.
    assert.equal((await devRequest(asRobot, { path: "/apis" })).status, 200);
    assert.equal((await devRequest(asRobot, { path: `${base}/secrets` })).status, 403);
  });
});
