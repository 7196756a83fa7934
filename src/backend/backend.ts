import { setMaxListeners } from "node:events";
import type { Logger } from "pino";
import {
  findCondition,
  setCondition,
  setReadySummary,
  type KubeBindCondition,
} from "../core/kube-bind-conditions.js";
import { Controller } from "../kube/controller.js";
import { Informer } from "../kube/informer.js";
import type { KubeClient, KubeObject, ObjectRef } from "../kube/kube-client.js";
import { isKubeError } from "../kube/kube-error.js";
import { objectRefOf as refOf } from "../kube/object-ref-of.js";
import { getOrUndefined, ignoreNotFound } from "../kube/not-found.js";
import { keyOf } from "../kube/object-cache.js";
import {
  parseGoDuration,
  responseSecret,
  responseSecretRef,
  type BindableRequest,
} from "./bindable-request.js";
import { specsHash } from "./bound-schema.js";
import { conditionTime } from "../core/kube-bind-conditions.js";
import { onboardConsumer } from "./onboard-consumer.js";
import {
  kubeBindApiVersion,
  kubeBindKeys,
  resourceGroupName,
  type BoundSchema,
  type ExportRequest,
  type Isolation,
  type ServiceExport,
} from "../core/kube-bind-objects.js";
import { clusterBindingHealth } from "./plan-cluster-binding-health.js";
import { planExportRbac } from "./plan-export-rbac.js";
import { planRequest, type ExportSettings } from "./plan-request.js";
import { orphanedProviderNamespaces, planServiceNamespace } from "./plan-service-namespace.js";

export interface BackendOptions {
  /** The provider cluster, with rights to everything the backend writes. */
  client: KubeClient;
  logger: Logger;
  /** Defaults for exports; requests may choose per binding (ADR 0003). */
  settings?: Partial<ExportSettings>;
  /** How long a request waits for a CRD it names before it fails. Default 60 s. */
  schemaGraceMs?: number;
  /** Keys reconciled at once per controller. Default 4. */
  workers?: number;
  /** Re-deliver every cached object this often. Default 10 minutes. */
  resyncPeriodMs?: number;
  /** The clock of conditions and ages; tests may fix it. */
  now?: () => Date;
}

/** A running backend: its controllers' informers and queues. */
export interface RunningBackend {
  /** Resolves once every informer has synced and the controllers run. */
  ready: Promise<void>;
  /** Finishes in-flight work and stops every watch. */
  stop(): Promise<void>;
  /** Keys waiting in each controller's queue, for metrics and tests. */
  depth(): Record<string, number>;
}

const fieldManager = "bindops-backend";

/**
 * Runs bindops's kube-bind backend on a provider cluster (spec §5.3, §7): the request controller
 * (BoundSchemas, the export, APIServiceNamespaces, the phase), the export controller (spec hash,
 * `ProviderInSync`), the export RBAC controller, the service-namespace controller (provider
 * namespaces and their clean-up) and the ClusterBinding health controller. All are level-triggered
 * on informer caches, so a restart at any point converges without duplicates.
 */
export function startBackend(options: BackendOptions): RunningBackend {
  const { client, logger } = options;
  const settings: ExportSettings = {
    informerScope: options.settings?.informerScope ?? "Namespaced",
    isolation: options.settings?.isolation ?? "Prefixed",
  };
  const now = options.now ?? (() => new Date());
  const resyncPeriodMs = options.resyncPeriodMs ?? 10 * 60_000;
  const workers = options.workers ?? 4;
  const informer = (kind: string, apiVersion = kubeBindApiVersion, labelSelector?: string) =>
    new Informer({
      client,
      logger,
      resyncPeriodMs,
      query: { apiVersion, kind, ...(labelSelector ? { labelSelector } : {}) },
    });

  const requests = informer("APIServiceExportRequest");
  const exports = informer("APIServiceExport");
  const boundSchemas = informer("BoundSchema");
  const serviceNamespaces = informer("APIServiceNamespace");
  const clusterBindings = informer("ClusterBinding");
  const bindableRequests = informer("BindableResourcesRequest");
  const crds = informer(
    "CustomResourceDefinition",
    "apiextensions.k8s.io/v1",
    `${kubeBindKeys.exportedLabel}=true`,
  );
  const namespaces = informer("Namespace", "v1");
  requests.addIndex("namespace", (o) => [o.metadata.namespace ?? ""]);
  requests.addIndex("resource", (o) =>
    (o as ExportRequest).spec.resources.map((r) => resourceGroupName(r)),
  );
  exports.addIndex("namespace", (o) => [o.metadata.namespace ?? ""]);
  serviceNamespaces.addIndex("namespace", (o) => [o.metadata.namespace ?? ""]);
  boundSchemas.addIndex("namespace", (o) => [o.metadata.namespace ?? ""]);
  namespaces.addIndex("api-service-namespace", (o) => {
    const ref = o.metadata.annotations?.[kubeBindKeys.apiServiceNamespace];
    return ref ? [ref] : [];
  });

  const keysIn = (inf: Informer, namespace: string | undefined) =>
    inf.byIndex("namespace", namespace ?? "").map((o) => keyOf(o.metadata.name, namespace));
  const ownerExportKeys = (o: KubeObject) =>
    (o.metadata.ownerReferences ?? [])
      .filter((r) => r.kind === "APIServiceExport" && typeof r.name === "string")
      .map((r) => keyOf(r.name as string, o.metadata.namespace));

  const writeStatus = async (
    object: KubeObject,
    status: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<void> => {
    if (JSON.stringify(object.status ?? {}) === JSON.stringify(status)) return;
    await client.patchStatus(refOf(object), { status }, { signal, fieldManager });
  };
  const createIfMissing = async (object: KubeObject, signal: AbortSignal): Promise<void> => {
    try {
      await client.create(object, { signal, fieldManager });
    } catch (error) {
      if (!isKubeError(error, "Conflict")) throw error;
    }
  };

  const requestController = new Controller({
    name: "backend-request",
    logger,
    workers,
    sources: [
      { informer: requests },
      { informer: exports },
      { informer: boundSchemas, keysFor: (o) => keysIn(requests, o.metadata.namespace) },
      { informer: serviceNamespaces, keysFor: ownerExportKeys },
      {
        informer: crds,
        keysFor: (o) =>
          requests
            .byIndex("resource", o.metadata.name)
            .map((r) => keyOf(r.metadata.name, r.metadata.namespace)),
      },
    ],
    reconcile: async (key, { signal }) => {
      const request = requests.getByKey(key) as ExportRequest | undefined;
      if (!request || request.metadata.deletionTimestamp) return;
      const namespace = request.metadata.namespace ?? "";
      const plan = planRequest({
        request,
        exportedCrds: new Map(crds.list().map((c) => [c.metadata.name, c])),
        boundSchemas: new Map(
          boundSchemas
            .byIndex("namespace", namespace)
            .map((b) => [b.metadata.name, b as BoundSchema]),
        ),
        export: exports.getByKey(key) as ServiceExport | undefined,
        apiServiceNamespaces: new Set(
          serviceNamespaces.byIndex("namespace", namespace).map((n) => n.metadata.name),
        ),
        settings,
        schemaGraceMs: options.schemaGraceMs ?? 60_000,
        now: now(),
      });
      const log = logger.child({ request: key });
      for (const schema of plan.boundSchemas) {
        await client.apply(schema, { signal, fieldManager, force: true });
        log.debug(`BoundSchema ${schema.metadata.name} written`);
      }
      if (plan.export) {
        await createIfMissing(plan.export, signal);
        log.info(`APIServiceExport ${key} created`);
      }
      for (const ns of plan.namespaces) await createIfMissing(ns, signal);
      if (plan.status.phase !== request.status?.phase) {
        log.info(
          `request ${key} is ${plan.status.phase}` +
            (plan.status.terminalMessage ? `: ${plan.status.terminalMessage}` : ""),
        );
      }
      await writeStatus(request, plan.status as Record<string, unknown>, signal);
      return plan.requeueAfterMs === undefined ? undefined : { requeueAfter: plan.requeueAfterMs };
    },
  });

  const exportController = new Controller({
    name: "backend-export",
    logger,
    workers,
    sources: [
      { informer: exports },
      {
        informer: boundSchemas,
        keysFor: (o) => [...ownerExportKeys(o), ...keysIn(exports, o.metadata.namespace)],
      },
    ],
    reconcile: async (key, { signal }) => {
      const exp = exports.getByKey(key) as ServiceExport | undefined;
      if (!exp || exp.metadata.deletionTimestamp) return;
      const namespace = exp.metadata.namespace;
      const schemas = exp.spec.resources.map(
        (r) => boundSchemas.get(resourceGroupName(r), namespace) as BoundSchema | undefined,
      );
      const missing = exp.spec.resources.filter((_, i) => schemas[i] === undefined);
      let conditions: KubeBindCondition[] = (exp.status?.conditions ?? []).slice();
      if (missing.length > 0) {
        conditions = setCondition(
          conditions,
          {
            type: "ProviderInSync",
            status: "False",
            severity: "Error",
            reason: "BoundSchemaMissing",
            message: `BoundSchema ${missing.map(resourceGroupName).join(", ")} missing`,
          },
          now(),
        );
      } else {
        const hash = specsHash(schemas.map((s) => s!.spec));
        if (exp.metadata.annotations?.[kubeBindKeys.sourceSpecHash] !== hash) {
          await client.patch(
            refOf(exp),
            { metadata: { annotations: { [kubeBindKeys.sourceSpecHash]: hash } } },
            { signal, fieldManager },
          );
        }
        conditions = setCondition(conditions, { type: "ProviderInSync", status: "True" }, now());
      }
      await writeStatus(
        exp,
        { ...(exp.status ?? {}), conditions: setReadySummary(conditions, now()) },
        signal,
      );
    },
  });

  const rbacController = new Controller({
    name: "backend-export-rbac",
    logger,
    workers,
    sources: [
      { informer: exports },
      { informer: serviceNamespaces, keysFor: (o) => keysIn(exports, o.metadata.namespace) },
      // A provider namespace that appears after its APIServiceNamespace's status names it.
      {
        informer: namespaces,
        keysFor: (o) => {
          const ref = o.metadata.annotations?.[kubeBindKeys.apiServiceNamespace];
          return ref ? keysIn(exports, ref.split("/")[0]) : [];
        },
      },
    ],
    reconcile: async (key, { signal }) => {
      const exp = exports.getByKey(key) as ServiceExport | undefined;
      const [namespace = "", name = key] = key.includes("/") ? key.split("/") : ["", key];
      const clusterNamespace = namespaces.get(namespace);
      // A namespace being deleted takes everything in it along; nothing is granted there any more.
      if (!clusterNamespace || clusterNamespace.metadata.deletionTimestamp) return;
      const providerNamespaces = serviceNamespaces
        .byIndex("namespace", namespace)
        .map((n) => (n.status as { namespace?: string } | undefined)?.namespace)
        .filter((n): n is string => typeof n === "string");
      if (!exp || exp.metadata.deletionTimestamp) {
        await deleteExportRbac(client, namespace, name, providerNamespaces, signal);
        return;
      }
      const objects = planExportRbac({ export: exp, clusterNamespace, providerNamespaces });
      for (const object of objects) {
        const target = object.metadata.namespace
          ? namespaces.get(object.metadata.namespace)
          : undefined;
        if (object.metadata.namespace && (!target || target.metadata.deletionTimestamp)) continue;
        await client.apply(object, { signal, fieldManager, force: true });
      }
    },
  });

  const namespaceController = new Controller({
    name: "backend-service-namespace",
    logger,
    workers,
    sources: [
      { informer: serviceNamespaces },
      {
        informer: namespaces,
        keysFor: (o) => {
          const ref = o.metadata.annotations?.[kubeBindKeys.apiServiceNamespace];
          return ref ? [ref] : [];
        },
      },
    ],
    reconcile: async (key, { signal }) => {
      const asn = serviceNamespaces.getByKey(key);
      if (!asn) {
        for (const name of orphanedProviderNamespaces(
          namespaces.byIndex("api-service-namespace", key),
          [],
        )) {
          await client
            .delete({ apiVersion: "v1", kind: "Namespace", name }, { signal })
            .catch(ignoreNotFound);
          logger.info(`provider namespace ${name} deleted: APIServiceNamespace ${key} is gone`);
        }
        return;
      }
      if (asn.metadata.deletionTimestamp) return;
      const owner = ownerExportKeys(asn)[0];
      const isolation: Isolation =
        ((owner ? exports.getByKey(owner) : undefined) as ServiceExport | undefined)?.spec
          .isolation ?? settings.isolation;
      const plan = planServiceNamespace(
        asn,
        isolation,
        new Set(namespaces.list().map((n) => n.metadata.name)),
      );
      if (plan.namespace) await createIfMissing(plan.namespace, signal);
      if (plan.statusNamespace !== undefined) {
        await client.patchStatus(
          refOf(asn),
          { status: { namespace: plan.statusNamespace } },
          { signal, fieldManager },
        );
      }
    },
  });

  const clusterBindingController = new Controller({
    name: "backend-cluster-binding",
    logger,
    workers,
    sources: [{ informer: clusterBindings }],
    reconcile: async (key, { signal }) => {
      const binding = clusterBindings.getByKey(key);
      if (!binding || binding.metadata.deletionTimestamp) return;
      const status = (binding.status ?? {}) as {
        lastHeartbeatTime?: string;
        heartbeatInterval?: string;
        conditions?: KubeBindCondition[];
      };
      const health = clusterBindingHealth(status, now());
      const conditions = setReadySummary(
        setCondition(status.conditions, health.condition, now()),
        now(),
      );
      const previous = findCondition(status.conditions, "Healthy");
      if (previous?.status !== health.condition.status) {
        logger.info(
          `ClusterBinding ${key}: Healthy=${health.condition.status}` +
            (health.condition.reason ? ` (${health.condition.reason})` : ""),
        );
      }
      await writeStatus(binding, { ...status, conditions }, signal);
      return health.recheckAfterMs === undefined
        ? undefined
        : { requeueAfter: health.recheckAfterMs };
    },
  });

  // BindableResourcesRequests (spec §3.10), as kube-bind's backend answers them with
  // --frontend-disabled: onboard the consumer, answer with its kubeconfig in a Secret.
  const bindableRequestController = new Controller({
    name: "backend-bindable-request",
    logger,
    workers,
    sources: [{ informer: bindableRequests }],
    reconcile: async (key, { signal }) => {
      const request = bindableRequests.getByKey(key) as BindableRequest | undefined;
      if (!request || request.metadata.deletionTimestamp) return;
      const status = request.status ?? {};
      if (status.phase === "Succeeded" || status.phase === "Failed") {
        return expireFinished(request, signal);
      }
      const secretRef = responseSecretRef(request);
      const finish = async (
        phase: "Succeeded" | "Failed" | "Pending",
        condition: { status: "True" | "False"; reason: string; message: string },
        extra: Record<string, unknown> = {},
      ) => {
        const at = now();
        await writeStatus(
          request,
          {
            ...status,
            ...extra,
            kubeconfigSecretRef: secretRef,
            phase,
            ...(phase === "Pending" ? {} : { completionTime: conditionTime(at) }),
            conditions: setCondition(
              status.conditions as KubeBindCondition[] | undefined,
              {
                type: "Ready",
                ...condition,
              },
              at,
            ),
          },
          signal,
        );
      };
      const template = request.spec.templateRef?.name ?? "";
      if (template !== "") {
        const found = await getOrUndefined(
          client,
          { apiVersion: kubeBindApiVersion, kind: "APIServiceExportTemplate", name: template },
          { signal },
        );
        if (found === undefined) {
          logger.info(`BindableResourcesRequest ${key} failed: template ${template} not found`);
          await finish("Failed", {
            status: "False",
            reason: "TemplateNotFound",
            message: `APIServiceExportTemplate "${template}" not found`,
          });
          return;
        }
      }
      let onboarded: Awaited<ReturnType<typeof onboardConsumer>>;
      try {
        onboarded = await onboardConsumer(client, {
          identity: request.spec.clusterIdentity.identity ?? "",
          author: request.spec.author,
          prettyName: request.spec.clusterIdentity.prettyName || request.metadata.name,
          signal,
        });
      } catch (error) {
        if (signal.aborted) throw error;
        await finish("Pending", {
          status: "False",
          reason: "HandleResourcesFailed",
          message: `Failed to handle resources: ${(error as Error).message}`,
        });
        throw error;
      }
      const kubeconfigSecret = await client.get(
        { apiVersion: "v1", kind: "Secret", ...onboarded.kubeconfigSecret },
        { signal },
      );
      const kubeconfig = Buffer.from(
        String((kubeconfigSecret.data as Record<string, string> | undefined)?.kubeconfig ?? ""),
        "base64",
      ).toString("utf8");
      await client.apply(responseSecret(request, kubeconfig), {
        signal,
        fieldManager,
        force: true,
      });
      logger.info(
        `BindableResourcesRequest ${key} succeeded: consumer onboarded in ${onboarded.namespace}`,
      );
      await finish(
        "Succeeded",
        {
          status: "True",
          reason: "SecretReady",
          message: `Binding response secret "${secretRef.name}" is ready`,
        },
        { namespace: onboarded.namespace },
      );
      return expireFinished(request, signal);
    },
  });
  /** Deletes a finished request once its ttlAfterFinished has passed, else looks again then. */
  const expireFinished = async (
    request: BindableRequest,
    signal: AbortSignal,
  ): Promise<{ requeueAfter: number } | undefined> => {
    const ttl = parseGoDuration(request.spec.ttlAfterFinished ?? "");
    const finished = Date.parse(request.status?.completionTime ?? "");
    if (ttl === undefined || Number.isNaN(finished)) return undefined;
    const left = finished + ttl - now().getTime();
    if (left > 0) return { requeueAfter: left };
    await client.delete(refOf(request), { signal }).catch(ignoreNotFound);
    logger.info(
      `BindableResourcesRequest ${keyOf(request.metadata.name, request.metadata.namespace)} expired: deleted`,
    );
    return undefined;
  };

  const controllers = [
    requestController,
    exportController,
    rbacController,
    namespaceController,
    clusterBindingController,
    bindableRequestController,
  ];
  const abort = new AbortController();
  // Every informer and queue listens on this one signal.
  setMaxListeners(0, abort.signal);
  // Informers shared by several controllers are started once (a running one is left as it is).
  const ready = Promise.all([
    namespaces.waitForSync({ signal: abort.signal }),
    ...controllers.map((c) => c.start({ signal: abort.signal })),
  ]).then(() => {
    logger.info("backend running: informers synced");
  });
  namespaces.start({ signal: abort.signal });
  return {
    ready,
    async stop() {
      abort.abort();
      await ready.catch(() => undefined);
      await Promise.all(controllers.map((c) => c.stop()));
      await namespaces.stop();
    },
    depth: () =>
      Object.fromEntries(
        controllers.map((c, i) => [
          ["request", "export", "rbac", "namespace", "cluster-binding", "bindable-request"][i]!,
          c.queue.length,
        ]),
      ),
  };
}

/** Removes what `planExportRbac` granted for an export that is gone. */
async function deleteExportRbac(
  client: KubeClient,
  namespace: string,
  name: string,
  providerNamespaces: readonly string[],
  signal: AbortSignal,
): Promise<void> {
  const refs: ObjectRef[] = [];
  for (const suffix of ["resources", "claims"]) {
    refs.push({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      name: `kube-binder-${suffix}-${namespace}-${name}`,
    });
    for (const ns of [namespace, ...providerNamespaces]) {
      for (const kind of ["Role", "RoleBinding"]) {
        refs.push({
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind,
          namespace: ns,
          name: `kube-binder-${suffix}-${name}`,
        });
      }
    }
  }
  for (const ref of refs) {
    await client.delete(ref, { signal }).catch(ignoreNotFound);
  }
}
