import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { pino } from "pino";
import { parse as parseYaml } from "yaml";
import { startBackend, type RunningBackend } from "../../src/backend/backend.js";
import { onboardConsumer, type OnboardedConsumer } from "../../src/backend/onboard-consumer.js";
import { connectCluster, type ConnectedCluster } from "../../src/kube/connect-cluster.js";
import { installCrds } from "../../src/kube/install-crd.js";
import { installKubeBindCrds } from "../../src/kube/install-kube-bind-crds.js";
import type { KubeObject } from "../../src/kube/kube-client.js";
import { KubeError } from "../../src/kube/kube-error.js";
import { RestKubeClient } from "../../src/kube/rest-kube-client.js";
import { clusterStartTimeoutMs, clusters, type DevCluster } from "../support/clusters.js";
import { eventually } from "../support/eventually.js";
import { readManifests } from "../support/read-manifests.js";
import { repoRoot } from "../support/repo-root.js";
import { cliPath } from "../support/run-cli.js";

const logger = pino({ level: process.env.BINDOPS_TEST_LOG ?? "silent" });
const kb = "kube-bind.io/v1alpha2";
const run = Date.now().toString(36);
const group = `backend-${run}.bindops.dev`;

/** A small exported CRD of this run's own group, so tests may change it freely. */
function widgetCrd(plural: string, scope = "Namespaced", column?: string): KubeObject {
  const kind = plural[0]!.toUpperCase() + plural.slice(1, -1);
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.${group}`, labels: { "kube-bind.io/exported": "true" } },
    spec: {
      group,
      scope,
      names: { plural, singular: plural.slice(0, -1), kind, listKind: `${kind}List` },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          subresources: { status: {} },
          ...(column
            ? { additionalPrinterColumns: [{ name: column, type: "string", jsonPath: ".spec.x" }] }
            : {}),
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: { spec: { type: "object", properties: { x: { type: "string" } } } },
            },
          },
        },
      ],
    },
  };
}

function request(
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
  annotations?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: kb,
    kind: "APIServiceExportRequest",
    metadata: { name, namespace, ...(annotations ? { annotations } : {}) },
    spec,
  };
}

interface RequestStatus {
  phase?: string;
  terminalMessage?: string;
  conditions?: { type: string; status: string; reason?: string }[];
}

describe("the built-in backend on the real provider API server", function () {
  this.timeout(120_000);
  let dev: DevCluster;
  let provider: ConnectedCluster;
  let backend: RunningBackend | undefined;
  const onboarded: OnboardedConsumer[] = [];

  const onboard = async (): Promise<OnboardedConsumer> => {
    const consumer = await onboardConsumer(provider.client, {
      identity: randomUUID(),
      author: "backend-test",
      prettyName: "consumer",
    });
    onboarded.push(consumer);
    return consumer;
  };
  const statusOf = async (namespace: string, name: string): Promise<RequestStatus> => {
    const live = await provider.client.get({
      apiVersion: kb,
      kind: "APIServiceExportRequest",
      namespace,
      name,
    });
    return live.status ?? {};
  };
  const settled = (namespace: string, name: string) =>
    eventually(`request ${namespace}/${name} to settle`, async () => {
      const status = await statusOf(namespace, name);
      return status.phase === "Succeeded" || status.phase === "Failed" ? status : undefined;
    });

  before(async function () {
    this.timeout(clusterStartTimeoutMs);
    dev = (await clusters()).provider;
    provider = await connectCluster(dev.name, {
      kubeconfigDir: path.dirname(dev.kubeconfigPath),
      env: {},
    });
    await installKubeBindCrds(provider, logger, AbortSignal.timeout(60_000));
    const examples = readManifests(path.join(repoRoot, "examples/providers/dbaas/crds"));
    await installCrds(
      provider.client,
      [...examples, widgetCrd("widgets"), widgetCrd("gizmos", "Cluster")],
      {
        logger,
        force: true,
      },
    );
    backend = startBackend({ client: provider.client, logger, schemaGraceMs: 0 });
    await backend.ready;
  });

  after(async () => {
    await backend?.stop();
    if (!provider) return;
    for (const { namespace } of onboarded) {
      await provider.client
        .delete({ apiVersion: "v1", kind: "Namespace", name: namespace })
        .catch(() => undefined);
    }
    for (const plural of ["widgets", "gizmos"]) {
      await provider.client
        .delete({
          apiVersion: "apiextensions.k8s.io/v1",
          kind: "CustomResourceDefinition",
          name: `${plural}.${group}`,
        })
        .catch(() => undefined);
    }
    provider.client.close();
  });

  it("turns a request for examples/'s template Succeeded, with its export, bound schemas and namespaces", async () => {
    const { namespace } = await onboard();
    const template = readManifests(path.join(repoRoot, "examples/providers/dbaas/templates"))[0]!;
    const spec = template.spec as Record<string, unknown>;
    await provider.client.create(
      request(namespace, "databases", {
        resources: spec.resources,
        permissionClaims: spec.permissionClaims,
        namespaces: [{ name: "orders" }],
        schemaUpdatePolicy: "Never",
      }),
    );
    const status = await settled(namespace, "databases");
    assert.equal(status.phase, "Succeeded", JSON.stringify(status));
    assert.equal(status.conditions?.find((c) => c.type === "Ready")?.status, "True");

    const exp = await provider.client.get({
      apiVersion: kb,
      kind: "APIServiceExport",
      namespace,
      name: "databases",
    });
    assert.deepEqual(
      (exp.spec as { resources: { resource: string }[] }).resources.map((r) => r.resource),
      ["postgresclusters", "postgresbackups"],
    );
    assert.equal((exp.spec as { informerScope: string }).informerScope, "Namespaced");
    assert.match(
      exp.metadata.annotations?.["kube-bind.io/source-spec-hash"] ?? "",
      /^[0-9a-f]{64}$/,
    );
    const schemas = await provider.client.list({ apiVersion: kb, kind: "BoundSchema", namespace });
    assert.deepEqual(schemas.items.map((s) => s.metadata.name).sort(), [
      "postgresbackups.dbaas.example.com",
      "postgresclusters.dbaas.example.com",
    ]);
    for (const s of schemas.items) {
      assert.equal(s.metadata.ownerReferences?.[0]?.uid, exp.metadata.uid, "owned by the export");
    }
    const asn = await eventually(
      "the APIServiceNamespace to get its provider namespace",
      async () => {
        const n = await provider.client.get({
          apiVersion: kb,
          kind: "APIServiceNamespace",
          namespace,
          name: "orders",
        });
        return (n.status as { namespace?: string } | undefined)?.namespace ? n : undefined;
      },
    );
    assert.equal((asn.status as { namespace: string }).namespace, `${namespace}-orders`);
    assert.equal(asn.metadata.labels?.["kube-bind.io/owner"], "provider");
    const providerNs = await provider.client.get({
      apiVersion: "v1",
      kind: "Namespace",
      name: `${namespace}-orders`,
    });
    assert.equal(
      providerNs.metadata.annotations?.["kube-bind.io/api-service-namespace"],
      `${namespace}/orders`,
    );
    const exportStatus = await eventually("ProviderInSync on the export", async () => {
      const e = await provider.client.get({
        apiVersion: kb,
        kind: "APIServiceExport",
        namespace,
        name: "databases",
      });
      const c = (e.status as RequestStatus | undefined)?.conditions?.find(
        (x) => x.type === "ProviderInSync",
      );
      return c?.status === "True" ? c : undefined;
    });
    assert.equal(exportStatus.status, "True");
  });

  const failures: {
    title: string;
    spec: Record<string, unknown>;
    reason: string;
    message: RegExp;
  }[] = [
    {
      title: "a missing CRD",
      spec: { resources: [{ group, resource: "nothings", versions: ["v1"] }] },
      reason: "SchemaNotFound",
      message: /no exported schema nothings\./,
    },
    {
      title: "an unserved version",
      spec: { resources: [{ group, resource: "widgets", versions: ["v7"] }] },
      reason: "SchemaNotFound",
      message: /does not serve version v7/,
    },
    {
      title: "mixed scopes",
      spec: {
        resources: [
          { group, resource: "widgets", versions: ["v1"] },
          { group, resource: "gizmos", versions: ["v1"] },
        ],
      },
      reason: "DifferentScopes",
      message: /differ in scope/,
    },
    {
      title: "a resource that cannot be claimed",
      spec: {
        resources: [{ group, resource: "widgets", versions: ["v1"] }],
        permissionClaims: [
          { group: "apps", resource: "deployments", selector: { labelSelector: {} } },
        ],
      },
      reason: "InvalidPermissionClaim",
      message: /deployments\.apps/,
    },
    {
      title: "a duplicate claim",
      spec: {
        resources: [{ group, resource: "widgets", versions: ["v1"] }],
        permissionClaims: [
          { group: "", resource: "secrets", selector: { labelSelector: {} } },
          { group: "", resource: "secrets", selector: { namedResources: [{ name: "x" }] } },
        ],
      },
      reason: "DuplicatePermissionClaim",
      message: /listed more than once/,
    },
  ];
  for (const f of failures) {
    it(`fails a request naming ${f.title}, with the reason`, async () => {
      const { namespace } = await onboard();
      await provider.client.create(request(namespace, "bad", f.spec));
      const status = await settled(namespace, "bad");
      assert.equal(status.phase, "Failed", JSON.stringify(status));
      assert.match(status.terminalMessage ?? "", f.message);
      assert.ok(
        status.conditions?.some((c) => c.status === "False" && c.reason === f.reason),
        JSON.stringify(status.conditions),
      );
      const exports = await provider.client.list({
        apiVersion: kb,
        kind: "APIServiceExport",
        namespace,
      });
      assert.deepEqual(exports.items, [], "no export for a failed request");
    });
  }

  it("updates a bound schema when the CRD changes under Always, and not under Never", async () => {
    const { namespace } = await onboard();
    const resources = [{ group, resource: "widgets", versions: ["v1"] }];
    await provider.client.create(
      request(namespace, "always", { resources, schemaUpdatePolicy: "Always" }),
    );
    const { namespace: other } = await onboard();
    await provider.client.create(
      request(other, "never", { resources, schemaUpdatePolicy: "Never" }),
    );
    assert.equal((await settled(namespace, "always")).phase, "Succeeded");
    assert.equal((await settled(other, "never")).phase, "Succeeded");

    await installCrds(provider.client, [widgetCrd("widgets", "Namespaced", "Flavour")], {
      logger,
      force: true,
    });
    const columns = async (ns: string) => {
      const bs = await provider.client.get({
        apiVersion: kb,
        kind: "BoundSchema",
        namespace: ns,
        name: `widgets.${group}`,
      });
      const v = (bs.spec as { versions: { additionalPrinterColumns?: { name: string }[] }[] })
        .versions[0]!;
      return (v.additionalPrinterColumns ?? []).map((c) => c.name);
    };
    await eventually("the Always bound schema to follow the CRD", async () =>
      (await columns(namespace)).includes("Flavour") ? true : undefined,
    );
    // The Never one had every chance to change: the Always one already did, from the same event.
    assert.deepEqual(await columns(other), []);
  });

  it("gives the consumer a token that reaches its own slice of the provider and nothing more", async () => {
    const mine = await onboard();
    const theirs = await onboard();
    await provider.client.create(
      request(mine.namespace, "widgets", {
        resources: [{ group, resource: "widgets", versions: ["v1"] }],
        permissionClaims: [
          {
            group: "",
            resource: "secrets",
            selector: { labelSelector: { matchLabels: { app: "w" } } },
          },
        ],
        namespaces: [{ name: "shop" }],
      }),
    );
    assert.equal((await settled(mine.namespace, "widgets")).phase, "Succeeded");
    await provider.client.create({
      apiVersion: `${group}/v1`,
      kind: "Widget",
      metadata: { name: "not-yours", namespace: theirs.namespace },
      spec: { x: "secret" },
    });

    const secret = await provider.client.get({
      apiVersion: "v1",
      kind: "Secret",
      namespace: mine.namespace,
      name: "kubeconfig",
    });
    const text = Buffer.from((secret.data as { kubeconfig: string }).kubeconfig, "base64").toString(
      "utf8",
    );
    const parsed = parseYaml(text) as { contexts: { context: { namespace: string } }[] };
    assert.equal(
      parsed.contexts[0]?.context.namespace,
      mine.namespace,
      "the context namespace is the cluster namespace",
    );
    const kc = new KubeConfig();
    kc.loadFromString(text);
    const consumer = new RestKubeClient(kc);
    try {
      // What §4.6 grants, through the Roles in its own cluster namespace:
      await eventually("the export's Roles to be granted", async () => {
        const list = await consumer.list({
          apiVersion: `${group}/v1`,
          kind: "Widget",
          namespace: mine.namespace,
        });
        return list.items;
      });
      await consumer.list({ apiVersion: "v1", kind: "Secret", namespace: mine.namespace });
      // ... and in the provider namespace mapped for its namespace `shop`.
      await eventually(
        "the Roles in the mapped provider namespace",
        async () =>
          (
            await consumer.list({
              apiVersion: "v1",
              kind: "Secret",
              namespace: `${mine.namespace}-shop`,
            })
          ).items,
      );
      await consumer.list({
        apiVersion: `${group}/v1`,
        kind: "Widget",
        namespace: `${mine.namespace}-shop`,
      });
      await consumer.get({
        apiVersion: kb,
        kind: "APIServiceExport",
        namespace: mine.namespace,
        name: "widgets",
      });
      // ... and nothing more: the real server refuses the rest.
      const forbidden = async (what: string, call: () => Promise<unknown>) =>
        assert.rejects(call(), (e: unknown) => {
          assert.ok(e instanceof KubeError, `${what}: ${String(e)}`);
          assert.equal(e.code, "Forbidden", what);
          return true;
        });
      await forbidden("another consumer's widgets", () =>
        consumer.list({ apiVersion: `${group}/v1`, kind: "Widget", namespace: theirs.namespace }),
      );
      await forbidden("widgets of every namespace", () =>
        consumer.list({ apiVersion: `${group}/v1`, kind: "Widget" }),
      );
      await forbidden("another consumer's secrets", () =>
        consumer.list({ apiVersion: "v1", kind: "Secret", namespace: theirs.namespace }),
      );
      await forbidden("another consumer's export requests", () =>
        consumer.list({
          apiVersion: kb,
          kind: "APIServiceExportRequest",
          namespace: theirs.namespace,
        }),
      );
      await forbidden("config maps, which it did not claim", () =>
        consumer.list({ apiVersion: "v1", kind: "ConfigMap", namespace: mine.namespace }),
      );
    } finally {
      consumer.close();
    }
  });

  it("answers a BindableResourcesRequest as kube-bind's backend does without its frontend", async () => {
    const identity = randomUUID();
    const ns = `brr-${identity.slice(0, 8)}`;
    await provider.client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
    await provider.client.apply({
      apiVersion: kb,
      kind: "APIServiceExportTemplate",
      metadata: { name: "widgets-brr" },
      spec: { scope: "Namespaced", resources: [{ group, resource: "widgets", versions: ["v1"] }] },
    });
    const bindable = (name: string, spec: Record<string, unknown>) =>
      provider.client.create({
        apiVersion: kb,
        kind: "BindableResourcesRequest",
        metadata: { name, namespace: ns },
        spec: { author: "alice", clusterIdentity: { identity, prettyName: "shop" }, ...spec },
      });
    const finished = (name: string) =>
      eventually(`BindableResourcesRequest ${name} to finish`, async () => {
        const live = await provider.client.get({
          apiVersion: kb,
          kind: "BindableResourcesRequest",
          namespace: ns,
          name,
        });
        const phase = (live.status as { phase?: string } | undefined)?.phase;
        return phase === "Succeeded" || phase === "Failed" ? live : undefined;
      });
    try {
      await bindable("shop", { templateRef: { name: "widgets-brr" } });
      const done = await finished("shop");
      const status = done.status as {
        phase: string;
        namespace: string;
        kubeconfigSecretRef: { name: string; key: string };
        conditions: { type: string; status: string; reason: string }[];
      };
      assert.equal(status.phase, "Succeeded");
      assert.deepEqual(status.kubeconfigSecretRef, {
        name: "shop-binding-response",
        key: "binding-response",
      });
      assert.ok(
        status.conditions.some((c) => c.type === "Ready" && c.reason === "SecretReady"),
        JSON.stringify(status.conditions),
      );
      onboarded.push({
        namespace: status.namespace,
        kubeconfigSecret: { namespace: status.namespace, name: "kubeconfig", key: "kubeconfig" },
      });
      const namespace = await provider.client.get({
        apiVersion: "v1",
        kind: "Namespace",
        name: status.namespace,
      });
      assert.equal(namespace.metadata.annotations?.["backend.kube-bind.io/identity"], identity);
      assert.equal(namespace.metadata.annotations?.["backend.kube-bind.io/author"], "alice");
      const answer = await provider.client.get({
        apiVersion: "v1",
        kind: "Secret",
        namespace: ns,
        name: "shop-binding-response",
      });
      assert.equal(answer.metadata.ownerReferences?.[0]?.uid, done.metadata.uid);
      const response = JSON.parse(
        Buffer.from(
          (answer.data as Record<string, string>)["binding-response"]!,
          "base64",
        ).toString("utf8"),
      ) as { apiVersion: string; kind: string; kubeconfig: string };
      assert.equal(response.kind, "BindingResourceResponse");
      const kubeconfig = Buffer.from(response.kubeconfig, "base64").toString("utf8");
      // The answer is the consumer's own kubeconfig: it reads its ClusterBinding, nothing else.
      const kc = new KubeConfig();
      kc.loadFromString(kubeconfig);
      const consumer = new RestKubeClient(kc);
      try {
        const binding = await eventually("the consumer's token to work", () =>
          consumer
            .get({
              apiVersion: kb,
              kind: "ClusterBinding",
              namespace: status.namespace,
              name: "cluster",
            })
            .catch(() => undefined),
        );
        assert.equal(
          binding.metadata.annotations?.["backend.kube-bind.io/cluster-pretty-name"],
          "shop",
        );
        await assert.rejects(
          consumer.list({ apiVersion: "v1", kind: "Secret", namespace: ns }),
          (error: unknown) => error instanceof KubeError && error.status === 403,
        );
      } finally {
        consumer.close();
      }

      // A template that does not exist fails, and a TTL removes finished requests.
      await bindable("nowhere", {
        templateRef: { name: "no-such-template" },
        ttlAfterFinished: "2s",
      });
      const failed = await finished("nowhere");
      assert.equal((failed.status as { phase: string }).phase, "Failed");
      assert.match(JSON.stringify(failed.status), /TemplateNotFound/);
      await eventually("the expired request deleted", async () =>
        (await provider.client
          .get({ apiVersion: kb, kind: "BindableResourcesRequest", namespace: ns, name: "nowhere" })
          .catch(() => undefined)) === undefined
          ? true
          : undefined,
      );
    } finally {
      await provider.client
        .delete({ apiVersion: "v1", kind: "Namespace", name: ns })
        .catch(() => undefined);
      await provider.client
        .delete({ apiVersion: kb, kind: "APIServiceExportTemplate", name: "widgets-brr" })
        .catch(() => undefined);
    }
  });

  it("converges after `bindops backend` is killed mid-way and started again, with no duplicates", async function () {
    this.timeout(180_000);
    await backend?.stop();
    backend = undefined;
    const consumers = await Promise.all([onboard(), onboard(), onboard()]);
    const resources = [{ group, resource: "widgets", versions: ["v1"] }];
    const start = (): ChildProcess =>
      spawn(
        process.execPath,
        [
          cliPath,
          "backend",
          "--kubeconfig-dir",
          path.dirname(dev.kubeconfigPath),
          "--cluster",
          dev.name,
          "--log-format",
          "json",
        ],
        { stdio: ["ignore", "ignore", "pipe"] },
      );
    const first = start();
    for (const [i, c] of consumers.entries()) {
      await provider.client.create(
        request(c.namespace, `kill-${i}`, {
          resources,
          namespaces: [{ name: "a" }, { name: "b" }],
        }),
      );
    }
    // Killed as soon as it has written anything for the first request: mid-way through the rest.
    await eventually("the first backend to start writing", async () => {
      const bs = await provider.client.list({
        apiVersion: kb,
        kind: "BoundSchema",
        namespace: consumers[0].namespace,
      });
      return bs.items.length > 0 ? true : undefined;
    });
    first.kill("SIGKILL");
    await new Promise((resolve) => first.once("exit", resolve));

    const second = start();
    let stderr = "";
    second.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    try {
      for (const [i, c] of consumers.entries()) {
        const status = await settled(c.namespace, `kill-${i}`);
        assert.equal(status.phase, "Succeeded", `${c.namespace}: ${JSON.stringify(status)}`);
        const exports = await provider.client.list({
          apiVersion: kb,
          kind: "APIServiceExport",
          namespace: c.namespace,
        });
        assert.deepEqual(
          exports.items.map((e) => e.metadata.name),
          [`kill-${i}`],
        );
        const schemas = await provider.client.list({
          apiVersion: kb,
          kind: "BoundSchema",
          namespace: c.namespace,
        });
        assert.deepEqual(
          schemas.items.map((s) => s.metadata.name),
          [`widgets.${group}`],
        );
        const asns = await eventually("both namespaces mapped", async () => {
          const l = await provider.client.list({
            apiVersion: kb,
            kind: "APIServiceNamespace",
            namespace: c.namespace,
          });
          return l.items.every(
            (n) => (n.status as { namespace?: string } | undefined)?.namespace,
          ) && l.items.length === 2
            ? l.items
            : undefined;
        });
        assert.deepEqual(asns.map((n) => n.metadata.name).sort(), ["a", "b"]);
      }
    } finally {
      second.kill("SIGTERM");
      const code = await new Promise<number | null>((resolve) => second.once("exit", resolve));
      assert.equal(code, 0, `SIGTERM ends the backend cleanly:\n${stderr}`);
    }
  });
});
