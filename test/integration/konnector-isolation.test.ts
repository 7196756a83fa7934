import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { pino } from "pino";
import { startBackend, type RunningBackend } from "../../src/backend/backend.js";
import { onboardConsumer } from "../../src/backend/onboard-consumer.js";
import {
  consentAnnotation,
  kubeBindApiVersion as kb,
  konnectorKeys,
  type Consent,
  type InformerScope,
  type Isolation,
} from "../../src/core/kube-bind-objects.js";
import { connectCluster, type ConnectedCluster } from "../../src/kube/connect-cluster.js";
import { installCrd } from "../../src/kube/install-crd.js";
import { installKubeBindCrds } from "../../src/kube/install-kube-bind-crds.js";
import type { KubeClient, KubeObject, ObjectRef } from "../../src/kube/kube-client.js";
import { getOrUndefined, ignoreNotFound } from "../../src/kube/not-found.js";
import { openProviderKubeconfig } from "../../src/kube/open-provider-kubeconfig.js";
import { startKonnector, type RunningKonnector } from "../../src/sync/konnector.js";
import { clusterStartTimeoutMs, clusters } from "../support/clusters.js";
import { eventually } from "../support/eventually.js";
import { stopApiserver } from "../support/restart-apiserver.js";
import { watchSightings, type Sightings } from "../support/sightings.js";

// Errors only by default: the restart test makes every watch of the provider warn.
const logger = pino(
  { level: process.env.BINDOPS_TEST_LOG ?? "error", base: null },
  pino.destination(2),
);
const crdApiVersion = "apiextensions.k8s.io/v1";
const version = "v1alpha1";

/** Unique per run, so the file can share the clusters with other test files. */
const id = randomBytes(3).toString("hex");
const groupOf = (stem: string) => `${stem}-${id}.konnector.bindops.test`;

/** A CRD of kind Widget for the provider, labelled for export, with a status subresource. */
function widgetCrd(group: string, scope: "Cluster" | "Namespaced", exported = true): KubeObject {
  return {
    apiVersion: crdApiVersion,
    kind: "CustomResourceDefinition",
    metadata: {
      name: `widgets.${group}`,
      ...(exported ? { labels: { "kube-bind.io/exported": "true" } } : {}),
    },
    spec: {
      group,
      scope,
      names: { kind: "Widget", listKind: "WidgetList", plural: "widgets", singular: "widget" },
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: {
                spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
              },
            },
          },
        },
      ],
    },
  };
}

const widgetRef = (group: string, name: string, namespace?: string): ObjectRef => ({
  apiVersion: `${group}/${version}`,
  kind: "Widget",
  name,
  ...(namespace ? { namespace } : {}),
});

function widget(
  group: string,
  name: string,
  spec: Record<string, unknown>,
  extra: { namespace?: string; annotations?: Record<string, string> } = {},
): KubeObject {
  return {
    apiVersion: `${group}/${version}`,
    kind: "Widget",
    metadata: {
      name,
      ...(extra.namespace ? { namespace: extra.namespace } : {}),
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
    },
    spec,
  };
}

const specOf = (o: KubeObject | undefined) => o?.spec as Record<string, unknown> | undefined;
const statusOf = (o: KubeObject | undefined) => o?.status as Record<string, unknown> | undefined;
const conditionOf = (object: KubeObject | undefined, type: string) =>
  (
    (
      object?.status as
        | { conditions?: { type: string; status: string; reason?: string; message?: string }[] }
        | undefined
    )?.conditions ?? []
  ).find((c) => c.type === type);
const secretText = (o: KubeObject | undefined, key: string) => {
  const value = (o?.data as Record<string, string> | undefined)?.[key];
  return value === undefined ? undefined : Buffer.from(value, "base64").toString();
};
const absent = async (read: () => Promise<KubeObject | undefined>) =>
  (await read()) === undefined ? true : undefined;

interface Binding {
  /** Request, export and APIServiceBinding are all named so. */
  name: string;
  group: string;
  isolation?: Isolation;
  informerScope?: InformerScope;
  claims?: Record<string, unknown>[];
  /** `spec.namespaces` of the request: provider-owned APIServiceNamespaces. */
  namespaces?: string[];
  consent?: Consent;
}

/**
 * The konnector beyond the examples: each isolation strategy of a cluster-scoped bound kind, a
 * claim narrowed after the fact, claim directions the consent does not allow, a provider API
 * server restart in the middle of creating objects, and a consumer CRD that belongs to someone
 * else. Set up without git: a consumer onboarded on the provider, export requests created
 * directly with bindops's per-request settings, the backend and the konnector in-process.
 */
describe("bindops konnector: isolation strategies, claim consent, faults (real API servers)", function () {
  this.timeout(240_000);
  let provider: ConnectedCluster;
  let consumer: ConnectedCluster;
  let backend: RunningBackend;
  let konnector: RunningKonnector;
  /** The consumer's cluster namespace on the provider. */
  let clusterNamespace: string;
  let clusterNamespaceUid: string;
  const secretNamespace = `kb-konnector-${id}`;
  const secretName = "provider-kubeconfig";
  const bindings: string[] = [];
  /** Names of the Widget CRDs this file made (on the provider, and their consumer twins). */
  const widgetCrds: string[] = [];
  const consumerNamespaces: string[] = [secretNamespace];
  const providerNamespaces: string[] = [];

  const get = (client: KubeClient, ref: ObjectRef) => getOrUndefined(client, ref);
  const onProvider = (ref: ObjectRef) => get(provider.client, ref);
  const onConsumer = (ref: ObjectRef) => get(consumer.client, ref);

  before(async function () {
    this.timeout(clusterStartTimeoutMs);
    const c = await clusters();
    const kubeconfigDir = path.dirname(c.provider.kubeconfigPath);
    provider = await connectCluster("provider", { kubeconfigDir, env: {} });
    consumer = await connectCluster("consumer", { kubeconfigDir, env: {} });
    const signal = AbortSignal.timeout(120_000);
    await installKubeBindCrds(provider, logger, signal);
    await installKubeBindCrds(consumer, logger, signal);
    const onboarded = await onboardConsumer(provider.client, {
      identity: `konnector-isolation-${id}`,
      author: "konnector-isolation-test",
      prettyName: `consumer ${id}`,
    });
    clusterNamespace = onboarded.namespace;
    clusterNamespaceUid = (
      await provider.client.get({ apiVersion: "v1", kind: "Namespace", name: clusterNamespace })
    ).metadata.uid!;
    // The consumer side of `kubectl bind`: the provider's kubeconfig in a labelled Secret.
    const kubeconfig = await provider.client.get({
      apiVersion: "v1",
      kind: "Secret",
      namespace: clusterNamespace,
      name: onboarded.kubeconfigSecret.name,
    });
    await consumer.client.create({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: secretNamespace },
    });
    await consumer.client.create({
      apiVersion: "v1",
      kind: "Secret",
      type: "Opaque",
      metadata: {
        name: secretName,
        namespace: secretNamespace,
        labels: { "kube-bind.io/provider-kubeconfig": "true" },
      },
      data: { kubeconfig: (kubeconfig.data as { kubeconfig: string }).kubeconfig },
    });
    backend = startBackend({ client: provider.client, logger });
    await backend.ready;
    konnector = startKonnector({
      consumer: consumer.client,
      connect: (text) => openProviderKubeconfig(text),
      logger,
      version: "bindops-test",
      syncTimeoutMs: 30_000,
    });
    await konnector.ready;
  });

  after(async function () {
    this.timeout(120_000);
    const quietly = (p: Promise<unknown>) => p.catch(() => undefined);
    const consumerWidgets = async () => {
      const all: ObjectRef[] = [];
      for (const crd of widgetCrds) {
        const group = crd.slice("widgets.".length);
        const items = await consumer?.client
          .list({ apiVersion: `${group}/${version}`, kind: "Widget" })
          .then((l) => l.items)
          .catch(() => []);
        all.push(
          ...(items ?? []).map((i) => widgetRef(group, i.metadata.name, i.metadata.namespace)),
        );
      }
      return all;
    };
    // Consumer objects first, while the konnector still releases their finalizers.
    for (const ref of await consumerWidgets()) await quietly(consumer.client.delete(ref));
    await sleep(3_000);
    await konnector?.stop();
    await backend?.stop();
    // Whatever is still held is released, so that nothing hangs in Terminating.
    for (const ref of await consumerWidgets()) {
      await quietly(consumer.client.patch(ref, { metadata: { finalizers: null } }));
    }
    if (consumer) {
      for (const name of bindings) {
        await quietly(consumer.client.delete({ apiVersion: kb, kind: "APIServiceBinding", name }));
      }
      for (const name of consumerNamespaces) {
        await quietly(consumer.client.delete({ apiVersion: "v1", kind: "Namespace", name }));
      }
      for (const name of widgetCrds) {
        await quietly(
          consumer.client.delete({
            apiVersion: crdApiVersion,
            kind: "CustomResourceDefinition",
            name,
          }),
        );
      }
    }
    if (provider && clusterNamespace) {
      const all = await provider.client
        .list({ apiVersion: "v1", kind: "Namespace" })
        .then((l) => l.items)
        .catch(() => []);
      for (const ns of all) {
        const ref = ns.metadata.annotations?.["kube-bind.io/api-service-namespace"];
        if (ref?.startsWith(`${clusterNamespace}/`)) providerNamespaces.push(ns.metadata.name);
      }
      for (const name of [...providerNamespaces, clusterNamespace]) {
        await quietly(provider.client.delete({ apiVersion: "v1", kind: "Namespace", name }));
      }
      for (const name of widgetCrds) {
        await quietly(
          provider.client.delete({
            apiVersion: crdApiVersion,
            kind: "CustomResourceDefinition",
            name,
          }),
        );
      }
    }
    provider?.client.close();
    consumer?.client.close();
  });

  // ---- helpers ----

  const requestOf = (b: Binding): KubeObject => ({
    apiVersion: kb,
    kind: "APIServiceExportRequest",
    metadata: {
      name: b.name,
      namespace: clusterNamespace,
      annotations: {
        ...(b.isolation ? { "bindops.dev/isolation": b.isolation } : {}),
        ...(b.informerScope ? { "bindops.dev/informer-scope": b.informerScope } : {}),
      },
    },
    spec: {
      resources: [{ group: b.group, resource: "widgets" }],
      ...(b.claims ? { permissionClaims: b.claims } : {}),
      ...(b.namespaces ? { namespaces: b.namespaces.map((name) => ({ name })) } : {}),
    },
  });

  /** Creates the request and waits for the backend to answer it. */
  async function request(b: Binding): Promise<KubeObject> {
    await provider.client.create(requestOf(b));
    return eventually(`request ${b.name} to succeed`, async () => {
      const live = await onProvider({
        apiVersion: kb,
        kind: "APIServiceExportRequest",
        namespace: clusterNamespace,
        name: b.name,
      });
      const phase = (live?.status as { phase?: string } | undefined)?.phase;
      if (phase === "Failed") throw new Error(`request ${b.name} failed`);
      return phase === "Succeeded" ? live : undefined;
    });
  }

  const bindingRef = (name: string): ObjectRef => ({
    apiVersion: kb,
    kind: "APIServiceBinding",
    name,
  });

  async function createBinding(b: Binding): Promise<void> {
    await consumer.client.create({
      apiVersion: kb,
      kind: "APIServiceBinding",
      metadata: {
        name: b.name,
        ...(b.consent ? { annotations: { [consentAnnotation]: JSON.stringify(b.consent) } } : {}),
      },
      spec: {
        kubeconfigSecretRef: { namespace: secretNamespace, name: secretName, key: "kubeconfig" },
      },
    });
    if (!bindings.includes(b.name)) bindings.push(b.name);
  }

  async function connected(name: string): Promise<KubeObject> {
    return eventually(
      `binding ${name} Connected with its schema in sync`,
      async () => {
        const live = await onConsumer(bindingRef(name));
        return conditionOf(live, "Connected")?.status === "True" &&
          conditionOf(live, "SchemaInSync")?.status === "True"
          ? live
          : undefined;
      },
      60_000,
    );
  }

  /** Installs an exported Widget CRD on the provider (unless it is there) and binds it. */
  async function bind(b: Binding, providerScope: "Cluster" | "Namespaced"): Promise<KubeObject> {
    const crd = widgetCrd(b.group, providerScope);
    if (!widgetCrds.includes(crd.metadata.name)) {
      await installCrd(provider.client, crd, { logger });
      widgetCrds.push(crd.metadata.name);
    }
    await request(b);
    await createBinding(b);
    await connected(b.name);
    return eventually(`CRD widgets.${b.group} established on the consumer`, async () => {
      const live = await onConsumer({
        apiVersion: crdApiVersion,
        kind: "CustomResourceDefinition",
        name: `widgets.${b.group}`,
      });
      return conditionOf(live, "Established")?.status === "True" ? live : undefined;
    });
  }

  async function namespaceOn(client: KubeClient, name: string): Promise<void> {
    await client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
  }

  /** The provider namespace assigned to a consumer namespace (APIServiceNamespace status). */
  const providerNamespaceOf = (consumerNamespace: string): Promise<string> =>
    eventually(`the provider namespace of ${consumerNamespace}`, async () => {
      const sn = await onProvider({
        apiVersion: kb,
        kind: "APIServiceNamespace",
        namespace: clusterNamespace,
        name: consumerNamespace,
      });
      const ns = (sn?.status as { namespace?: string } | undefined)?.namespace;
      if (ns === undefined) return undefined;
      const live = await onProvider({ apiVersion: "v1", kind: "Namespace", name: ns });
      return live && !live.metadata.deletionTimestamp ? ns : undefined;
    });

  const secret = (
    namespace: string,
    name: string,
    labels?: Record<string, string>,
    value = `${name}-value`,
  ): KubeObject => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace, ...(labels ? { labels } : {}) },
    stringData: { value },
  });
  const secretRef = (namespace: string, name: string): ObjectRef => ({
    apiVersion: "v1",
    kind: "Secret",
    namespace,
    name,
  });

  // ---- 1. isolation strategies of a cluster-scoped bound kind (spec §6.7) ----

  interface Strategy {
    isolation: Isolation;
    informerScope: InformerScope;
    /** The provider CRD's scope: `Namespaced` isolation binds a namespaced provider kind. */
    providerScope: "Cluster" | "Namespaced";
    /** Where the provider copy of consumer object `name` lands. */
    at: (name: string) => { namespace?: string; name: string };
    /** Provider copies are owned by the cluster Namespace. */
    owned: boolean;
    /** A provider key outside the mapping for a consumer name, where there is one. */
    outside?: (name: string) => { namespace?: string; name: string };
  }
  const otherProviderNamespace = `other-${id}`;
  const strategies: Strategy[] = [
    {
      isolation: "None",
      informerScope: "Cluster",
      providerScope: "Cluster",
      at: (name) => ({ name }),
      owned: true,
    },
    {
      isolation: "Prefixed",
      informerScope: "Cluster",
      providerScope: "Cluster",
      at: (name) => ({ name: `${clusterNamespace}-${name}` }),
      owned: true,
      outside: (name) => ({ name }),
    },
    {
      isolation: "Namespaced",
      informerScope: "Namespaced",
      providerScope: "Namespaced",
      at: (name) => ({ namespace: clusterNamespace, name }),
      owned: false,
      outside: (name) => ({ namespace: otherProviderNamespace, name }),
    },
  ];

  for (const s of strategies) {
    describe(`isolation ${s.isolation} (informer scope ${s.informerScope})`, () => {
      const group = groupOf(`iso-${s.isolation.toLowerCase()}`);
      const name = `iso-${s.isolation.toLowerCase()}-${id}`;
      const providerRef = (consumerName: string) => {
        const key = s.at(consumerName);
        return widgetRef(group, key.name, key.namespace);
      };

      before(async () => {
        const crd = await bind(
          { name, group, isolation: s.isolation, informerScope: s.informerScope },
          s.providerScope,
        );
        // The consumer always gets a cluster-scoped kind, whatever the provider's scope.
        assert.equal((crd.spec as { scope: string }).scope, "Cluster");
      });

      it("puts the copy where the strategy maps it, syncs spec up and status down", async () => {
        await consumer.client.create(widget(group, "alpha", { size: 1 }));
        const copy = await eventually("the provider copy", () => onProvider(providerRef("alpha")));
        const downstream = await consumer.client.get(widgetRef(group, "alpha"));
        const annotations = copy.metadata.annotations ?? {};
        assert.equal(annotations[konnectorKeys.clusterNamespace], clusterNamespace);
        assert.equal(annotations[konnectorKeys.consumerUid], downstream.metadata.uid);
        assert.equal(specOf(copy)?.size, 1);
        assert.deepEqual(
          (copy.metadata.ownerReferences ?? []).map((r) => ({
            apiVersion: r.apiVersion,
            kind: r.kind,
            name: r.name,
            uid: r.uid,
          })),
          s.owned
            ? [
                {
                  apiVersion: "v1",
                  kind: "Namespace",
                  name: clusterNamespace,
                  uid: clusterNamespaceUid,
                },
              ]
            : [],
        );
        assert.ok(
          downstream.metadata.finalizers?.includes(konnectorKeys.syncerFinalizer),
          "the consumer object carries the syncer finalizer",
        );
        // Exactly one copy of the kind for this consumer, at the mapped key and nowhere else.
        const copies = (
          await provider.client.list({ apiVersion: `${group}/${version}`, kind: "Widget" })
        ).items;
        assert.deepEqual(
          copies.map((c) => `${c.metadata.namespace ?? ""}/${c.metadata.name}`),
          [`${s.at("alpha").namespace ?? ""}/${s.at("alpha").name}`],
        );

        await consumer.client.patch(widgetRef(group, "alpha"), { spec: { size: 2 } });
        await eventually("the new spec on the provider", async () =>
          specOf(await onProvider(providerRef("alpha")))?.size === 2 ? true : undefined,
        );
        await provider.client.patchStatus(providerRef("alpha"), {
          status: { phase: "Ready", endpoint: `https://alpha.${s.isolation.toLowerCase()}` },
        });
        const withStatus = await eventually("the provider's status on the consumer", async () => {
          const live = await onConsumer(widgetRef(group, "alpha"));
          return statusOf(live)?.phase === "Ready" ? live : undefined;
        });
        assert.equal(statusOf(withStatus)?.endpoint, `https://alpha.${s.isolation.toLowerCase()}`);
        assert.equal(
          withStatus.metadata.annotations?.[konnectorKeys.providerNamespace],
          s.at("alpha").namespace ?? "",
        );
      });

      it("re-creates a copy deleted on the provider and deletes an orphaned copy", async () => {
        const before = await eventually("the copy", () => onProvider(providerRef("alpha")));
        await provider.client.delete(providerRef("alpha"));
        await eventually("the copy re-created", async () => {
          const live = await onProvider(providerRef("alpha"));
          return live && live.metadata.uid !== before.metadata.uid ? live : undefined;
        });
        // A copy of this consumer inside the mapping whose consumer object is gone (as after a
        // deletion the konnector missed) is cleaned up.
        const orphan = s.at("ghost");
        await provider.client.create(
          widget(
            group,
            orphan.name,
            { size: 9 },
            {
              ...(orphan.namespace ? { namespace: orphan.namespace } : {}),
              annotations: {
                [konnectorKeys.clusterNamespace]: clusterNamespace,
                [konnectorKeys.consumerUid]: "0000-gone",
              },
            },
          ),
        );
        await eventually("the orphaned copy deleted", () =>
          absent(() => onProvider(providerRef("ghost"))),
        );
        assert.equal(await onConsumer(widgetRef(group, "ghost")), undefined);
      });

      it("never touches provider objects that are not this consumer's copies", async () => {
        if (s.outside) {
          // Outside the mapping: even with this consumer's annotation, and named like a consumer
          // object, it is neither deleted, nor overwritten, nor copied down.
          const key = s.outside("alpha");
          if (key.namespace) {
            await namespaceOn(provider.client, key.namespace);
            providerNamespaces.push(key.namespace);
          }
          await provider.client.create(
            widget(
              group,
              key.name,
              { size: 42, owner: "someone else" },
              {
                ...(key.namespace ? { namespace: key.namespace } : {}),
                annotations: { [konnectorKeys.clusterNamespace]: clusterNamespace },
              },
            ),
          );
          const outsideRef = widgetRef(group, key.name, key.namespace);
          // A change of the consumer object makes the konnector look at the key again.
          await consumer.client.patch(widgetRef(group, "alpha"), { spec: { size: 3 } });
          await eventually("the change on the mapped copy", async () =>
            specOf(await onProvider(providerRef("alpha")))?.size === 3 ? true : undefined,
          );
          await provider.client.patchStatus(providerRef("alpha"), { status: { phase: "Ready" } });
          await eventually("the mapped copy's status on the consumer", async () =>
            statusOf(await onConsumer(widgetRef(group, "alpha")))?.phase === "Ready"
              ? true
              : undefined,
          );
          await provider.client.patchStatus(outsideRef, { status: { phase: "Hijacked" } });
          await sleep(2_000);
          const untouched = await onProvider(outsideRef);
          assert.ok(untouched, "an object outside the mapping was deleted");
          assert.deepEqual(specOf(untouched), { size: 42, owner: "someone else" });
          assert.equal(statusOf(await onConsumer(widgetRef(group, "alpha")))?.phase, "Ready");
          if (s.isolation === "Prefixed") {
            // An unprefixed object with no consumer counterpart is not an orphan of ours either.
            await provider.client.create(
              widget(
                group,
                "unprefixed",
                { size: 5 },
                {
                  annotations: { [konnectorKeys.clusterNamespace]: clusterNamespace },
                },
              ),
            );
            await sleep(2_000);
            assert.ok(
              await onProvider(widgetRef(group, "unprefixed")),
              "unprefixed object deleted",
            );
            assert.equal(await onConsumer(widgetRef(group, "unprefixed")), undefined);
          }
        }
        // Inside the mapping but made by someone else (no cluster-namespace annotation): never
        // deleted or copied down; a consumer object of that name is a conflict the binding
        // reports, and the provider object stays as it is.
        const foreign = s.at("handmade");
        await provider.client.create(
          widget(
            group,
            foreign.name,
            { size: 7, owner: "provider team" },
            {
              ...(foreign.namespace ? { namespace: foreign.namespace } : {}),
            },
          ),
        );
        await sleep(2_000);
        assert.ok(
          await onProvider(providerRef("handmade")),
          "a foreign provider object was deleted",
        );
        assert.equal(await onConsumer(widgetRef(group, "handmade")), undefined);
        await consumer.client.create(widget(group, "handmade", { size: 1 }));
        const reported = await eventually("the conflict on the binding", async () => {
          const live = await onConsumer(bindingRef(name));
          const synced = conditionOf(live, "Synced");
          return synced?.status === "False" && synced.reason === "Conflict" ? synced : undefined;
        });
        assert.match(reported.message ?? "", /handmade/);
        const kept = await onProvider(providerRef("handmade"));
        assert.deepEqual(specOf(kept), { size: 7, owner: "provider team" });
        assert.equal(kept?.metadata.annotations?.[konnectorKeys.clusterNamespace], undefined);
        // The consumer gives up its object: the provider's stays, and the conflict clears.
        await consumer.client.delete(widgetRef(group, "handmade"));
        await eventually("the conflicting consumer object gone", () =>
          absent(() => onConsumer(widgetRef(group, "handmade"))),
        );
        await eventually("the binding Synced again", async () =>
          conditionOf(await onConsumer(bindingRef(name)), "Synced")?.status === "True"
            ? true
            : undefined,
        );
        assert.ok(
          await onProvider(providerRef("handmade")),
          "a foreign provider object was deleted",
        );
      });

      it("deletes the copy when the consumer deletes, through the finalizer", async () => {
        const key = s.at("alpha");
        const original = await eventually("the copy", () => onProvider(providerRef("alpha")));
        const copies = await watchSightings(
          provider.client,
          { apiVersion: `${group}/${version}`, kind: "Widget" },
          logger,
        );
        try {
          await consumer.client.delete(widgetRef(group, "alpha"));
          await eventually("the copy gone", () => absent(() => onProvider(providerRef("alpha"))));
          await eventually("the consumer object gone", () =>
            absent(() => onConsumer(widgetRef(group, "alpha"))),
          );
          await sleep(1_000);
          // Gone for good: never re-created after the consumer deleted.
          assert.equal(await onProvider(providerRef("alpha")), undefined);
          const others = copies.of(
            (o) =>
              o.metadata.name === key.name &&
              (o.metadata.namespace ?? "") === (key.namespace ?? "") &&
              o.metadata.uid !== original.metadata.uid,
          );
          assert.deepEqual(others, [], "the copy was re-created after the consumer deleted");
        } finally {
          await copies.stop();
        }
      });
    });
  }

  // ---- 2. a claim narrowed after the fact (issue 18: no other object ever crosses) ----

  describe("a claim narrowed after the fact", () => {
    const group = groupOf("claims");
    const name = `claims-${id}`;
    const ns = `claims-${id}`;
    const consent = (direction: "Both" | "ProviderToConsumer"): Consent => ({
      namespaces: [ns],
      claims: [{ group: "", resource: "secrets", direction }],
    });
    const claimsSelecting = (labelSelector: Record<string, unknown>) => [
      { group: "", resource: "secrets", selector: { labelSelector } },
    ];
    const wide: Binding = {
      name,
      group,
      claims: claimsSelecting({
        matchExpressions: [{ key: "claim-test", operator: "In", values: ["keep", "drop"] }],
      }),
      consent: consent("Both"),
    };
    const narrow: Binding = {
      ...wide,
      claims: claimsSelecting({ matchLabels: { "claim-test": "keep" } }),
    };
    /** Every Secret the provider ever had, from before the first Secret is created. */
    let providerSecrets: Sightings;
    const sightingsOf = (secretName: string, since = 0) =>
      providerSecrets.of(
        (o) =>
          o.metadata.name === secretName &&
          (o.metadata.namespace ?? "").startsWith(`${clusterNamespace}-`),
        since,
      );

    before(async () => {
      providerSecrets = await watchSightings(
        provider.client,
        { apiVersion: "v1", kind: "Secret" },
        logger,
      );
      await namespaceOn(consumer.client, ns);
      consumerNamespaces.push(ns);
      await bind(wide, "Namespaced");
    });
    after(() => providerSecrets?.stop());
    afterEach(() => {
      assert.deepEqual(
        sightingsOf("private").map((s) => s.key),
        [],
        "the unlabelled Secret reached the provider",
      );
    });

    it("syncs the Secrets the claim selects, and not the unlabelled one next to them", async () => {
      await consumer.client.create(secret(ns, "private"));
      await consumer.client.create(secret(ns, "keep", { "claim-test": "keep" }));
      await consumer.client.create(secret(ns, "drop", { "claim-test": "drop" }));
      const providerNs = await providerNamespaceOf(ns);
      for (const n of ["keep", "drop"]) {
        const copy = await eventually(`Secret ${n} on the provider`, () =>
          onProvider(secretRef(providerNs, n)),
        );
        assert.equal(secretText(copy, "value"), `${n}-value`);
        assert.equal(copy.metadata.labels?.["kube-bind.io/owner"], "consumer");
      }
      await sleep(2_000);
      assert.equal(await onProvider(secretRef(providerNs, "private")), undefined);
    });

    it("drops the copy of a Secret the re-created, narrower claim no longer selects, for good", async () => {
      const oldProviderNs = await providerNamespaceOf(ns);
      // As the reconciler replaces a changed binding: requests are immutable, so the request,
      // its export and the APIServiceBinding go, and come back with the new claim.
      const gone = async (client: KubeClient, ref: ObjectRef) => {
        await client.delete(ref).catch(ignoreNotFound);
        await eventually(`${ref.kind} ${ref.name} deleted`, () => absent(() => get(client, ref)));
      };
      await gone(provider.client, {
        apiVersion: kb,
        kind: "APIServiceExportRequest",
        namespace: clusterNamespace,
        name,
      });
      await gone(provider.client, {
        apiVersion: kb,
        kind: "APIServiceExport",
        namespace: clusterNamespace,
        name,
      });
      await gone(consumer.client, bindingRef(name));
      await eventually("drop's copy removed with the old claim", () =>
        absent(() => onProvider(secretRef(oldProviderNs, "drop"))),
      );
      // From here on, the only claim is the narrower one: drop must never cross again.
      const narrowed = Date.now();
      await request(narrow);
      await createBinding(narrow);
      await connected(name);
      const providerNs = await eventually(
        "keep synced again, drop not",
        async () => {
          const pns = await providerNamespaceOf(ns);
          const keep = await onProvider(secretRef(pns, "keep"));
          const drop = await onProvider(secretRef(pns, "drop"));
          return keep && !drop ? pns : undefined;
        },
        90_000,
      );
      // The consumer keeps its Secret, data and all; only the copy went.
      const source = await consumer.client.get(secretRef(ns, "drop"));
      assert.equal(secretText(source, "value"), "drop-value");
      // Changes to it (and to the unlabelled one) are looked at, and still do not cross.
      await consumer.client.patch(secretRef(ns, "drop"), { stringData: { value: "changed" } });
      await consumer.client.patch(secretRef(ns, "private"), { stringData: { value: "changed" } });
      await consumer.client.patch(secretRef(ns, "keep"), { stringData: { value: "changed" } });
      await eventually("the change of the claimed Secret on the provider", async () =>
        secretText(await onProvider(secretRef(providerNs, "keep")), "value") === "changed"
          ? true
          : undefined,
      );
      await sleep(2_000);
      assert.deepEqual(
        sightingsOf("drop", narrowed).map((s) => s.key),
        [],
        "the Secret the narrower claim dropped reached the provider again",
      );
      assert.equal(await onProvider(secretRef(providerNs, "drop")), undefined);
    });

    it("removes the copy when the binding's consent narrows the claim's direction", async () => {
      // A direction changed in git changes only the APIServiceBinding's consent, in place.
      const providerNs = await providerNamespaceOf(ns);
      await eventually("keep on the provider", () => onProvider(secretRef(providerNs, "keep")));
      await consumer.client.patch(bindingRef(name), {
        metadata: {
          annotations: { [consentAnnotation]: JSON.stringify(consent("ProviderToConsumer")) },
        },
      });
      await eventually("keep's copy removed", () =>
        absent(() => onProvider(secretRef(providerNs, "keep"))),
      );
      const settled = Date.now();
      await consumer.client.patch(secretRef(ns, "keep"), { stringData: { value: "again" } });
      await sleep(3_000);
      assert.deepEqual(
        sightingsOf("keep", settled).map((s) => s.key),
        [],
      );
      const source = await consumer.client.get(secretRef(ns, "keep"));
      assert.equal(secretText(source, "value"), "again", "the consumer's Secret was touched");
    });
  });

  // ---- 3. claim directions the consent does not allow ----

  describe("claim directions the consent does not allow", () => {
    const labels = { "direction-test": "yes" };
    const claims = [
      { group: "", resource: "secrets", selector: { labelSelector: { matchLabels: labels } } },
    ];
    const setUp = async (stem: string, direction: "ConsumerToProvider" | "ProviderToConsumer") => {
      const b: Binding = {
        name: `${stem}-${id}`,
        group: groupOf(stem),
        claims,
        // A namespace the provider sets up for the consumer, so the provider can write into it.
        namespaces: [`${stem}-${id}`],
        consent: {
          namespaces: [`${stem}-${id}`],
          claims: [{ group: "", resource: "secrets", direction }],
        },
      };
      await namespaceOn(consumer.client, `${stem}-${id}`);
      consumerNamespaces.push(`${stem}-${id}`);
      await bind(b, "Namespaced");
      return { ns: `${stem}-${id}`, providerNs: await providerNamespaceOf(`${stem}-${id}`) };
    };

    it("ConsumerToProvider only: a provider-created Secret the claim selects never comes down", async () => {
      const { ns, providerNs } = await setUp("c2p", "ConsumerToProvider");
      const consumerSecrets = await watchSightings(
        consumer.client,
        { apiVersion: "v1", kind: "Secret", namespace: ns },
        logger,
      );
      try {
        await provider.client.create(secret(providerNs, "from-provider", labels));
        await consumer.client.create(secret(ns, "from-consumer", labels));
        // The allowed direction works: the syncer is running and has seen both.
        await eventually("the consumer's Secret on the provider", () =>
          onProvider(secretRef(providerNs, "from-consumer")),
        );
        await provider.client.patch(secretRef(providerNs, "from-provider"), {
          stringData: { value: "changed" },
        });
        await sleep(3_000);
        assert.deepEqual(
          consumerSecrets.of((o) => o.metadata.name === "from-provider").map((s) => s.key),
          [],
          "a provider Secret came down against the consent",
        );
        const untouched = await provider.client.get(secretRef(providerNs, "from-provider"));
        assert.equal(untouched.metadata.labels?.["kube-bind.io/owner"], undefined);
      } finally {
        await consumerSecrets.stop();
      }
    });

    it("ProviderToConsumer only: a consumer Secret the claim selects never goes up", async () => {
      const providerSecrets = await watchSightings(
        provider.client,
        { apiVersion: "v1", kind: "Secret" },
        logger,
      );
      try {
        const { ns, providerNs } = await setUp("p2c", "ProviderToConsumer");
        await consumer.client.create(secret(ns, "from-consumer", labels));
        await provider.client.create(secret(providerNs, "from-provider", labels));
        const down = await eventually("the provider's Secret on the consumer", () =>
          onConsumer(secretRef(ns, "from-provider")),
        );
        assert.equal(down.metadata.labels?.["kube-bind.io/owner"], "provider");
        await consumer.client.patch(secretRef(ns, "from-consumer"), {
          stringData: { value: "changed" },
        });
        await sleep(3_000);
        assert.deepEqual(
          providerSecrets
            .of((o) => o.metadata.name === "from-consumer" && o.metadata.namespace === providerNs)
            .map((s) => s.key),
          [],
          "a consumer Secret went up against the consent",
        );
        const untouched = await consumer.client.get(secretRef(ns, "from-consumer"));
        assert.equal(untouched.metadata.labels?.["kube-bind.io/owner"], undefined);
      } finally {
        await providerSecrets.stop();
      }
    });
  });

  // ---- 4. the provider API server restarts ----

  describe("a provider API server restart while objects are created", () => {
    const group = groupOf("faults");
    const name = `faults-${id}`;
    const copyName = (n: string) => `${clusterNamespace}-${n}`;

    before(() => bind({ name, group, isolation: "Prefixed", informerScope: "Cluster" }, "Cluster"));

    it("ends with exactly one provider copy per object, deletions done, and status flowing", async () => {
      const names: string[] = [];
      const create = async () => {
        const n = `item-${names.length}`;
        names.push(n);
        await consumer.client.create(widget(group, n, { index: n }));
        return n;
      };
      for (let i = 0; i < 4; i++) await create();
      for (const n of [...names]) {
        await eventually(`${n} synced`, () => onProvider(widgetRef(group, copyName(n))));
      }
      // Objects keep coming, one every 300 ms, from before the provider goes until after it is back.
      type Phase = "up" | "down" | "back";
      let phase = "up" as Phase;
      const createdWhile: Record<Phase, string[]> = { up: [], down: [], back: [] };
      const creating = (async () => {
        while (createdWhile.back.length < 3) {
          const during = phase;
          createdWhile[during].push(await create());
          await sleep(300);
        }
      })();
      await sleep(600);
      const apiserver = await stopApiserver("provider");
      phase = "down";
      // While the provider is away: one object deleted (its finalizer holds it), one changed.
      await consumer.client.delete(widgetRef(group, "item-0"));
      await consumer.client.patch(widgetRef(group, "item-1"), { spec: { index: "changed" } });
      await sleep(2_000);
      await apiserver.start();
      phase = "back";
      await creating;
      assert.ok(createdWhile.down.length >= 3, "objects were created while the provider was down");

      const expected = names.filter((n) => n !== "item-0");
      await eventually(
        "one copy per consumer object, and no other",
        async () => {
          const objects = (
            await consumer.client.list({ apiVersion: `${group}/${version}`, kind: "Widget" })
          ).items;
          const copies = (
            await provider.client.list({ apiVersion: `${group}/${version}`, kind: "Widget" })
          ).items;
          if (
            objects
              .map((o) => o.metadata.name)
              .sort()
              .join() !== expected.sort().join()
          ) {
            return undefined;
          }
          const uids = new Map(objects.map((o) => [copyName(o.metadata.name), o.metadata.uid]));
          const ok =
            copies.length === objects.length &&
            copies.every(
              (c) =>
                uids.get(c.metadata.name) === c.metadata.annotations?.[konnectorKeys.consumerUid] &&
                c.metadata.deletionTimestamp === undefined,
            );
          return ok ? true : undefined;
        },
        150_000,
      );
      assert.equal(
        specOf(await onProvider(widgetRef(group, copyName("item-1"))))?.index,
        "changed",
      );
      for (const n of expected) {
        await provider.client.patchStatus(widgetRef(group, copyName(n)), {
          status: { phase: "Ready", of: n },
        });
      }
      await eventually(
        "every object's status on the consumer",
        async () => {
          const objects = (
            await consumer.client.list({ apiVersion: `${group}/${version}`, kind: "Widget" })
          ).items;
          return objects.length === expected.length &&
            objects.every(
              (o) => statusOf(o)?.phase === "Ready" && statusOf(o)?.of === o.metadata.name,
            )
            ? true
            : undefined;
        },
        60_000,
      );
    });
  });

  // ---- 5. a consumer CRD owned by someone else ----

  describe("a consumer CRD that belongs to someone else", () => {
    const group = groupOf("foreign");
    const name = `foreign-${id}`;

    it("is never overwritten: the binding reports ForeignCustomResourceDefinition and nothing of it crosses", async () => {
      const theirs = widgetCrd(group, "Cluster", false);
      theirs.metadata.labels = { "app.kubernetes.io/managed-by": "another-team" };
      const versions = (theirs.spec as { versions: Record<string, unknown>[] }).versions;
      versions[0]!.schema = {
        openAPIV3Schema: {
          type: "object",
          properties: {
            spec: { type: "object", properties: { color: { type: "string" } } },
            status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
          },
        },
      };
      const crdRef = {
        apiVersion: crdApiVersion,
        kind: "CustomResourceDefinition",
        name: theirs.metadata.name,
      };
      await installCrd(consumer.client, theirs, { logger });
      if (!widgetCrds.includes(theirs.metadata.name)) widgetCrds.push(theirs.metadata.name);
      await consumer.client.create(widget(group, "local", { color: "blue" }));
      const before = await consumer.client.get(crdRef);

      const b: Binding = { name, group, isolation: "Prefixed", informerScope: "Cluster" };
      await installCrd(provider.client, widgetCrd(group, "Cluster"), { logger });
      await request(b);
      await createBinding(b);
      const reported = await eventually("the binding reporting the foreign CRD", async () => {
        const connectedCondition = conditionOf(await onConsumer(bindingRef(name)), "Connected");
        return connectedCondition?.status === "False" &&
          connectedCondition.reason === "ForeignCustomResourceDefinition"
          ? connectedCondition
          : undefined;
      });
      assert.match(reported.message ?? "", new RegExp(theirs.metadata.name.replace(/\./g, "\\.")));
      // The export names the binding's consumer objects; give the konnector time to act on them.
      await sleep(3_000);
      const after = await consumer.client.get(crdRef);
      assert.deepEqual(after.spec, before.spec, "the foreign CRD's spec was overwritten");
      assert.equal(after.metadata.generation, before.metadata.generation);
      assert.deepEqual(after.metadata.ownerReferences, before.metadata.ownerReferences);
      assert.deepEqual(after.metadata.labels, before.metadata.labels);
      // Its objects are the other team's: never copied to the provider nor held by a finalizer.
      const copies = await provider.client.list({
        apiVersion: `${group}/${version}`,
        kind: "Widget",
      });
      assert.deepEqual(
        copies.items.map((c) => c.metadata.name),
        [],
        "an object of a CRD the binding does not own crossed to the provider",
      );
      const local = await consumer.client.get(widgetRef(group, "local"));
      assert.deepEqual(local.metadata.finalizers ?? [], []);
      assert.equal(conditionOf(await onConsumer(bindingRef(name)), "Ready")?.status, "False");
    });
  });
});
