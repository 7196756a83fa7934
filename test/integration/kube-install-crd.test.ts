import assert from "node:assert/strict";
import path from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { connectCluster, type ConnectedCluster } from "../../src/kube/connect-cluster.js";
import { installCrd, installCrds } from "../../src/kube/install-crd.js";
import type { KubeObject } from "../../src/kube/kube-client.js";
import { KubeError } from "../../src/kube/kube-error.js";
import {
  clusterStartTimeoutMs,
  clusters,
  oldCluster,
  startTimeoutMs,
  type DevCluster,
} from "../support/clusters.js";

const group = "kube-install.bindops.dev";

/** A CRD as current controller-gen emits it: CEL rules (with messageExpression, reason, fieldPath) and selectable fields. */
function gadgetsCrd(plural = "gadgets", kind = "Gadget"): KubeObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: "Namespaced",
      names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          selectableFields: [{ jsonPath: ".spec.color" }],
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: {
                spec: {
                  type: "object",
                  required: ["color"],
                  "x-kubernetes-validations": [
                    {
                      rule: "self.size > 0",
                      messageExpression: "'size must be positive'",
                      reason: "FieldValueInvalid",
                      fieldPath: ".size",
                    },
                  ],
                  properties: {
                    color: {
                      type: "string",
                      maxLength: 32,
                      "x-kubernetes-validations": [{ rule: "self != 'red'", message: "no red" }],
                    },
                    size: { type: "integer", default: 1 },
                    parts: {
                      type: "array",
                      // Bounded, as current servers require for CEL rules to fit the cost budget.
                      maxItems: 16,
                      "x-kubernetes-list-type": "map",
                      "x-kubernetes-list-map-keys": ["name"],
                      items: {
                        type: "object",
                        required: ["name"],
                        properties: { name: { type: "string", maxLength: 63 } },
                        "x-kubernetes-validations": [{ rule: "self.name != ''" }],
                      },
                    },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
}

function capture() {
  const lines: { level: number; msg: string; crd?: string; dropped?: string[] }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
      done();
    },
  });
  return { lines, logger: pino({ level: "debug" }, stream) };
}

/** Connects to a dev cluster, with a namespace for the test and cleanup of the CRDs it installs. */
function useCluster(start: () => Promise<DevCluster>, timeoutMs: number) {
  const ctx = {
    cluster: undefined as unknown as ConnectedCluster,
    installed: [] as string[],
    namespace: `kube-install-${Date.now().toString(36)}`,
  };
  before(async function () {
    this.timeout(timeoutMs);
    const dev = await start();
    ctx.cluster = await connectCluster(dev.name, {
      kubeconfigDir: path.dirname(dev.kubeconfigPath),
      env: {},
    });
    await ctx.cluster.client.apply({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: ctx.namespace },
    });
  });
  after(async () => {
    const { cluster } = ctx;
    if (!cluster) return;
    for (const name of ctx.installed) {
      await cluster.client
        .delete({ apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", name })
        .catch(() => undefined);
    }
    await cluster.client
      .delete({ apiVersion: "v1", kind: "Namespace", name: ctx.namespace })
      .catch(() => undefined);
    cluster.client.close();
  });
  return ctx;
}

describe("installing CRDs into the real current API server", function () {
  this.timeout(120_000);
  const ctx = useCluster(async () => (await clusters()).provider, clusterStartTimeoutMs);

  it("installs a CRD with CEL rules and selectableFields unchanged, without a warning", async () => {
    const { logger, lines } = capture();
    ctx.installed.push(`gadgets.${group}`);
    const result = await installCrd(ctx.cluster.client, gadgetsCrd(), { logger });
    assert.deepEqual(result.dropped, []);
    assert.deepEqual(lines, []);
    const version = (result.crd.spec as { versions: Record<string, unknown>[] }).versions[0]!;
    assert.deepEqual(version.selectableFields, [{ jsonPath: ".spec.color" }]);
  });

  it("enforces the CEL rules: a red Gadget is refused with the rule's message", async () => {
    await assert.rejects(
      ctx.cluster.client.apply({
        apiVersion: `${group}/v1`,
        kind: "Gadget",
        metadata: { name: "red", namespace: ctx.namespace },
        spec: { color: "red" },
      }),
      (e: unknown) => {
        assert.ok(e instanceof KubeError, String(e));
        assert.equal(e.code, "Invalid");
        assert.match(e.serverMessage ?? "", /no red/);
        return true;
      },
    );
    const blue = await ctx.cluster.client.apply({
      apiVersion: `${group}/v1`,
      kind: "Gadget",
      metadata: { name: "blue", namespace: ctx.namespace },
      spec: { color: "blue" },
    });
    assert.deepEqual(blue.spec, { color: "blue", size: 1 });
  });

  it("serves the selectable field: a field selector on .spec.color lists only matches", async () => {
    const listed = await ctx.cluster.client.list({
      apiVersion: `${group}/v1`,
      kind: "Gadget",
      namespace: ctx.namespace,
      fieldSelector: "spec.color=blue",
    });
    assert.deepEqual(
      listed.items.map((i) => i.metadata.name),
      ["blue"],
    );
  });
});

describe("installing CRDs into the real old API server (1.20)", function () {
  this.timeout(120_000);
  const ctx = useCluster(oldCluster, startTimeoutMs("old"));

  it("is refused by 1.20 as it is: the server does not know CEL rules or selectableFields", async () => {
    await assert.rejects(ctx.cluster.client.apply(gadgetsCrd()), (e: unknown) => {
      assert.ok(e instanceof KubeError, String(e));
      assert.equal(e.code, "Invalid");
      assert.equal(e.exitCode, 2);
      // The server names the first undeclared field it meets, in Go's random map order.
      assert.match(
        e.serverMessage ?? "",
        /(x-kubernetes-validations|selectableFields): field not declared in schema/,
      );
      return true;
    });
  });

  it("installs after adaptation, with exactly one warning saying what was dropped", async () => {
    const { logger, lines } = capture();
    ctx.installed.push(`gadgets.${group}`);
    const result = await installCrd(ctx.cluster.client, gadgetsCrd(), { logger });

    assert.equal(result.name, `gadgets.${group}`);
    const established = (
      result.crd.status as { conditions: { type: string; status: string }[] }
    ).conditions.find((c) => c.type === "Established");
    assert.equal(established?.status, "True");
    assert.equal(lines.length, 1, JSON.stringify(lines));
    const [warning] = lines;
    assert.equal(warning?.level, 40);
    assert.equal(
      warning?.msg,
      `CRD gadgets.${group}: dropped 3 x-kubernetes-validations rules and selectableFields, ` +
        "which Kubernetes v1.20 does not support",
    );
    assert.equal(warning?.crd, `gadgets.${group}`);
    assert.equal(warning?.dropped?.length, 4);

    // The kind is usable right away, and what 1.20 does support (defaults, list maps) still works.
    const gadget = await ctx.cluster.client.apply({
      apiVersion: `${group}/v1`,
      kind: "Gadget",
      metadata: { name: "first", namespace: ctx.namespace },
      spec: { color: "blue", parts: [{ name: "a" }] },
    });
    assert.deepEqual(gadget.spec, { color: "blue", size: 1, parts: [{ name: "a" }] });
    // The dropped rules are not enforced by this server; validate still checks them in git.
    const red = await ctx.cluster.client.apply({
      apiVersion: `${group}/v1`,
      kind: "Gadget",
      metadata: { name: "red", namespace: ctx.namespace },
      spec: { color: "red" },
    });
    assert.equal((red.spec as { color: string }).color, "red");
  });

  it("installs again without complaint and with the same single warning", async () => {
    const { logger, lines } = capture();
    await installCrd(ctx.cluster.client, gadgetsCrd(), { logger });
    assert.equal(lines.length, 1);
  });

  it("installs several CRDs at once, each established, in input order", async () => {
    const { logger, lines } = capture();
    const crds = ["widgets", "gizmos", "doohickeys"].map((plural) =>
      gadgetsCrd(plural, plural[0]!.toUpperCase() + plural.slice(1, -1)),
    );
    ctx.installed.push(...crds.map((c) => c.metadata.name));
    const results = await installCrds(ctx.cluster.client, crds, { logger, concurrency: 2 });
    assert.deepEqual(
      results.map((r) => r.name),
      crds.map((c) => c.metadata.name),
    );
    assert.equal(lines.length, 3, "one warning per CRD");
    const listed = await ctx.cluster.client.list({
      apiVersion: `${group}/v1`,
      kind: "Gizmo",
      namespace: ctx.namespace,
    });
    assert.deepEqual(listed.items, []);
  });
});
