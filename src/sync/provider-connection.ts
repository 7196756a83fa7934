import { createHash } from "node:crypto";
import type { Logger } from "pino";
import { canonicalJson } from "../core/canonical-json.js";
import {
  findCondition,
  setCondition,
  setReadySummary,
  type ConditionInput,
  type KubeBindCondition,
} from "../core/kube-bind-conditions.js";
import {
  consentOf,
  kubeBindApiVersion,
  resourceGroupName,
  type BoundSchema,
  type ExportRequest,
  type ServiceExport,
} from "../core/kube-bind-objects.js";
import { permissionClaimOf } from "../core/service-binding.js";
import { adaptCrdToServer } from "../kube/adapt-crd-to-server.js";
import type { ServerVersion } from "../kube/server-version.js";
import { Controller } from "../kube/controller.js";
import type { Informer } from "../kube/informer.js";
import { InformerFactory } from "../kube/informer-factory.js";
import type { KubeClient, KubeObject } from "../kube/kube-client.js";
import { isKubeError } from "../kube/kube-error.js";
import { getOrUndefined } from "../kube/not-found.js";
import { objectRefOf } from "../kube/object-ref-of.js";
import { updateWithRetry } from "../kube/update-with-retry.js";
import { updateBindingStatus } from "./binding-status.js";
import { acceptedClaims } from "./claim-match.js";
import { ClaimSyncer, type ReferencedKind } from "./claim-syncer.js";
import { bindingOwnerReference, consumerCrd, ownedByBinding, syncVersion } from "./consumer-crd.js";
import { isolationStrategy, KeyMapper, type NamespaceMapping } from "./isolation.js";
import { mergePatchBetween } from "./object-copies.js";
import { ResourceSyncer } from "./resource-syncer.js";
import { SyncTally } from "./sync-tally.js";
import { requeueOnConflict } from "./requeue-on-conflict.js";

export interface ProviderConnectionOptions {
  /** Names the connection in logs (the consumer Secret it came from); never the kubeconfig. */
  name: string;
  provider: KubeClient & { close?(): void };
  /** The cluster namespace: the kubeconfig context's namespace. */
  clusterNamespace: string;
  consumer: KubeClient;
  consumerInformers: InformerFactory;
  /** The consumer's APIServiceBindings (shared with the konnector). */
  bindings: Informer;
  /** The consumer's CRDs (shared with the konnector). */
  crds: Informer;
  /** Written into `ClusterBinding.status.konnectorVersion`. */
  version: string;
  /** Default 5 minutes, as kube-bind: a heartbeat every half of it. */
  heartbeatIntervalMs?: number;
  resyncPeriodMs?: number;
  now: () => Date;
  logger: Logger;
}

interface ExportContext {
  exp: ServiceExport;
  binding: KubeObject;
  consentNamespaces: string[];
  tally: SyncTally;
  ensureServiceNamespace: (consumerNamespace: string, signal: AbortSignal) => Promise<void>;
  /** Provider namespaces mapped for the binding's (consented) consumer namespaces. */
  mappedNamespaces: () => string[];
}

interface RunningExport {
  resources: Map<string, { syncer: ResourceSyncer; signature: string }>;
  /** By claimed resource; `kinds` names the referencing kinds the syncer was started with. */
  claims: Map<string, { syncer: ClaimSyncer; kinds: string }>;
}

/**
 * Everything the konnector does against one provider, for the bindings whose kubeconfig reaches
 * it (spec §6.3): informers in the cluster namespace, the ClusterBinding heartbeat and credential
 * rotation, the schema controller (BoundSchemas → consumer CRDs, binding conditions), and the
 * export controller, which starts a {@link ResourceSyncer} per bound resource and a
 * {@link ClaimSyncer} per accepted claim and reports back into the export and its BoundSchemas.
 */
export class ProviderConnection {
  readonly bindingNames = new Set<string>();
  /** Consumer Secrets (`namespace/name`) that hold this kubeconfig: rotated credentials go there. */
  readonly consumerSecrets = new Set<string>();
  private readonly providerInformers: InformerFactory;
  private readonly exports: Informer;
  private readonly requests: Informer;
  private readonly serviceNamespaces: Informer;
  private readonly boundSchemas: Informer;
  private readonly clusterBindings: Informer;
  private readonly heartbeat: Controller;
  private readonly schemas: Controller;
  private readonly exportController: Controller;
  private readonly running = new Map<string, RunningExport>();
  private readonly tallies = new Map<string, SyncTally>();
  private readonly log: Logger;
  private readonly heartbeatIntervalMs: number;
  private clusterNamespaceUid: string | undefined;
  private lastHeartbeatOk: boolean | undefined;
  readonly namespaces: NamespaceMapping;

  constructor(private readonly o: ProviderConnectionOptions) {
    this.log = o.logger.child({ provider: o.name, clusterNamespace: o.clusterNamespace });
    this.heartbeatIntervalMs = o.heartbeatIntervalMs ?? 5 * 60_000;
    this.providerInformers = new InformerFactory({
      client: o.provider,
      logger: this.log,
      ...(o.resyncPeriodMs === undefined ? {} : { resyncPeriodMs: o.resyncPeriodMs }),
    });
    const inC = (kind: string) =>
      this.providerInformers.acquire({
        apiVersion: kubeBindApiVersion,
        kind,
        namespace: o.clusterNamespace,
      });
    this.exports = inC("APIServiceExport");
    this.requests = inC("APIServiceExportRequest");
    this.serviceNamespaces = inC("APIServiceNamespace");
    this.boundSchemas = inC("BoundSchema");
    this.clusterBindings = inC("ClusterBinding");
    this.serviceNamespaces.addIndex("provider-namespace", (sn) => {
      const namespace = (sn.status as { namespace?: string } | undefined)?.namespace;
      return namespace ? [namespace] : [];
    });
    this.namespaces = {
      providerNamespace: (consumerNamespace) =>
        consumerNamespace === ""
          ? undefined
          : (
              this.serviceNamespaces.get(consumerNamespace, o.clusterNamespace)?.status as
                { namespace?: string } | undefined
            )?.namespace || undefined,
      consumerNamespace: (providerNamespace) =>
        this.serviceNamespaces.byIndex("provider-namespace", providerNamespace)[0]?.metadata.name,
    };
    const allBindings = () => [...this.bindingNames];
    this.heartbeat = new Controller({
      name: `heartbeat ${o.name}`,
      logger: this.log,
      stopInformers: false,
      sources: [{ informer: this.clusterBindings, keysFor: () => ["cluster"] }],
      reconcile: (_key, { signal }) => this.beat(signal),
    });
    this.schemas = new Controller({
      name: `schemas ${o.name}`,
      logger: this.log,
      stopInformers: false,
      workers: 2,
      sources: [
        { informer: this.exports, keysFor: allBindings },
        { informer: this.requests, keysFor: (r) => [r.metadata.name] },
        { informer: this.boundSchemas, keysFor: allBindings },
        { informer: this.clusterBindings, keysFor: allBindings },
        { informer: o.crds, keysFor: (crd) => ownerBindingNames(crd) },
      ],
      reconcile: requeueOnConflict((key, { signal }) => this.reconcileSchemas(key, signal)),
    });
    this.exportController = new Controller({
      name: `exports ${o.name}`,
      logger: this.log,
      stopInformers: false,
      workers: 2,
      sources: [
        { informer: this.exports },
        { informer: this.boundSchemas, keysFor: () => this.exports.keys() },
        {
          informer: o.crds,
          keysFor: (crd) => ownerBindingNames(crd).map((n) => this.exportKey(n)),
        },
      ],
      reconcile: requeueOnConflict((key, { signal }) => this.reconcileExport(key, signal)),
    });
  }

  /** Starts the controllers; resolves once the provider's informers synced. */
  async start(signal?: AbortSignal): Promise<void> {
    const options = signal ? { signal } : {};
    await Promise.all([
      this.heartbeat.start(options),
      this.schemas.start(options),
      this.exportController.start(options),
    ]);
    this.heartbeat.queue.add("cluster");
    for (const name of this.bindingNames) this.touch(name);
  }

  /** Looks at a binding again: attached, changed, or its Secret changed. */
  touch(bindingName: string): void {
    this.schemas.queue.add(bindingName);
    this.exportController.queue.add(this.exportKey(bindingName));
  }

  /** Whether anything still uses the connection. */
  idle(): boolean {
    return this.bindingNames.size === 0 && this.consumerSecrets.size === 0;
  }

  async stop(): Promise<void> {
    await Promise.all([this.heartbeat.stop(), this.schemas.stop(), this.exportController.stop()]);
    for (const running of this.running.values()) {
      await Promise.all([
        ...[...running.resources.values()].map((r) => r.syncer.stop()),
        ...[...running.claims.values()].map((c) => c.syncer.stop()),
      ]);
    }
    this.running.clear();
    await this.providerInformers.stopAll();
    this.o.provider.close?.();
  }

  private exportKey(name: string): string {
    return `${this.o.clusterNamespace}/${name}`;
  }

  private tallyOf(name: string): SyncTally {
    let tally = this.tallies.get(name);
    if (tally === undefined) {
      tally = new SyncTally();
      tally.onChange(() => this.schemas.queue.add(name));
      this.tallies.set(name, tally);
    }
    return tally;
  }

  // ---- heartbeat (spec §6.4) ----

  private async beat(signal: AbortSignal): Promise<{ requeueAfter: number }> {
    const { o } = this;
    const call = { signal };
    const next = { requeueAfter: this.heartbeatIntervalMs / 2 };
    const binding = this.clusterBindings.get("cluster", o.clusterNamespace);
    if (binding === undefined) {
      await this.markHeartbeating(
        false,
        "the provider has no ClusterBinding for this consumer",
        signal,
      );
      return next;
    }
    const now = o.now();
    let conditions = (binding.status as { conditions?: KubeBindCondition[] } | undefined)
      ?.conditions;
    const ref = (binding.spec as { kubeconfigSecretRef?: { name?: string; key?: string } })
      .kubeconfigSecretRef;
    const providerSecret = ref?.name
      ? await getOrUndefined(
          o.provider,
          { apiVersion: "v1", kind: "Secret", namespace: o.clusterNamespace, name: ref.name },
          call,
        )
      : undefined;
    const data = providerSecret?.data as Record<string, string> | undefined;
    if (providerSecret === undefined) {
      conditions = setCondition(
        conditions,
        {
          type: "SecretValid",
          status: "False",
          severity: "Warning",
          reason: "ProviderSecretNotFound",
          message: `Secret ${ref?.name ?? "(none)"} not found in ${o.clusterNamespace}`,
        },
        now,
      );
    } else if (data?.[ref?.key ?? "kubeconfig"] === undefined) {
      conditions = setCondition(
        conditions,
        {
          type: "SecretValid",
          status: "False",
          severity: "Warning",
          reason: "ProviderSecretInvalid",
          message: `Secret ${ref?.name} has no key ${ref?.key ?? "kubeconfig"}`,
        },
        now,
      );
    } else {
      await this.rotateConsumerSecrets(providerSecret, signal);
      conditions = setCondition(conditions, { type: "SecretValid", status: "True" }, now);
    }
    conditions = setCondition(conditions, { type: "ValidVersion", status: "True" }, now);
    conditions = setReadySummary(conditions, now);
    const status = (binding.status ?? {}) as Record<string, unknown>;
    const last =
      typeof status.lastHeartbeatTime === "string" ? Date.parse(status.lastHeartbeatTime) : 0;
    const due = !(now.getTime() - last < this.heartbeatIntervalMs / 2);
    const [firstSecret] = [...this.consumerSecrets].sort();
    const consumerSecretRef = firstSecret
      ? { namespace: firstSecret.split("/")[0], name: firstSecret.split("/")[1] }
      : undefined;
    const desired = {
      ...status,
      ...(due ? { lastHeartbeatTime: now.toISOString().replace(/\.\d{3}Z$/, "Z") } : {}),
      heartbeatInterval: formatGoDuration(this.heartbeatIntervalMs),
      konnectorVersion: o.version,
      ...(consumerSecretRef ? { consumerSecretRef } : {}),
      conditions,
    };
    const patch = mergePatchBetween(status, desired);
    try {
      if (patch !== undefined) {
        await o.provider.patchStatus(objectRefOf(binding), { status: patch }, call);
      }
      await this.markHeartbeating(true, undefined, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      await this.markHeartbeating(false, (error as Error).message, signal);
      throw error;
    }
    return next;
  }

  /** Copies the provider's kubeconfig Secret onto the consumer's, so the provider can rotate it. */
  private async rotateConsumerSecrets(
    providerSecret: KubeObject,
    signal: AbortSignal,
  ): Promise<void> {
    for (const key of this.consumerSecrets) {
      const [namespace, name] = key.split("/") as [string, string];
      const ref = { apiVersion: "v1", kind: "Secret", namespace, name };
      const current = await getOrUndefined(this.o.consumer, ref, { signal });
      if (current === undefined) continue;
      const patch = mergePatchBetween(
        { data: current.data ?? {}, type: current.type },
        { data: providerSecret.data ?? {}, type: current.type ?? providerSecret.type },
      );
      if (patch === undefined) continue;
      await this.o.consumer.patch(ref, patch as Record<string, unknown>, { signal });
      this.log.info({ secret: key }, "provider credentials rotated into the consumer Secret");
    }
  }

  private async markHeartbeating(
    ok: boolean,
    message: string | undefined,
    signal: AbortSignal,
  ): Promise<void> {
    if (this.lastHeartbeatOk === ok && ok) return;
    this.lastHeartbeatOk = ok;
    for (const name of this.bindingNames) {
      await this.updateBindingConditions(
        name,
        [
          ok
            ? { type: "Heartbeating", status: "True" }
            : {
                type: "Heartbeating",
                status: "False",
                severity: "Warning",
                reason: "ClusterBindingUpdateFailed",
                ...(message ? { message } : {}),
              },
        ],
        {},
        signal,
      );
    }
  }

  // ---- schemas down and binding status (spec §6.5) ----

  private async reconcileSchemas(name: string, signal: AbortSignal): Promise<void> {
    const { o } = this;
    const binding = o.bindings.get(name);
    if (binding === undefined || !this.bindingNames.has(name)) return;
    const conditions: ConditionInput[] = [];
    const statusFields: Record<string, unknown> = {};
    const prettyName = (
      this.clusterBindings.get("cluster", o.clusterNamespace)?.spec as
        { providerPrettyName?: string } | undefined
    )?.providerPrettyName;
    statusFields.providerPrettyName = prettyName ?? "";
    const exp = this.exports.get(name, o.clusterNamespace) as ServiceExport | undefined;
    if (exp === undefined) {
      const request = this.requests.get(name, o.clusterNamespace) as ExportRequest | undefined;
      conditions.push(
        request?.status?.phase === "Failed"
          ? {
              type: "Connected",
              status: "False",
              severity: "Error",
              reason: "APIServiceExportFailed",
              message: request.status.terminalMessage ?? "the request failed",
            }
          : {
              type: "Connected",
              status: "False",
              severity: "Error",
              reason: "APIServiceExportNotFound",
              message: `APIServiceExport ${o.clusterNamespace}/${name} not found`,
            },
      );
      await this.updateBindingConditions(name, conditions, statusFields, signal);
      return;
    }
    const version = await o.consumer.serverVersion({ signal });
    const bound = [
      ...((binding.status as { boundSchemas?: { group?: string; resource: string }[] })
        ?.boundSchemas ?? []),
    ];
    let failure: ConditionInput | undefined;
    for (const resource of exp.spec.resources) {
      const schema = this.boundSchemas.get(resourceGroupName(resource), o.clusterNamespace) as
        BoundSchema | undefined;
      if (schema === undefined) {
        failure ??= {
          type: "Connected",
          status: "False",
          severity: "Error",
          reason: "BoundSchemaFetchFailed",
          message: `BoundSchema ${resourceGroupName(resource)} not found in ${o.clusterNamespace}`,
        };
        continue;
      }
      if (
        !bound.some(
          (b) => (b.group ?? "") === schema.spec.group && b.resource === schema.spec.names.plural,
        )
      ) {
        bound.push({ group: schema.spec.group, resource: schema.spec.names.plural });
      }
      failure ??= await this.applyConsumerCrd(schema, binding, version, signal);
    }
    statusFields.boundSchemas = bound;
    statusFields.permissionClaims = exp.spec.permissionClaims ?? [];
    if (failure) conditions.push(failure);
    else {
      conditions.push(
        { type: "Connected", status: "True" },
        { type: "SchemaInSync", status: "True" },
      );
    }
    conditions.push(this.syncedCondition(name));
    await this.updateBindingConditions(name, conditions, statusFields, signal);
  }

  /**
   * Creates or updates the consumer CRD of a BoundSchema for a binding (spec §6.5); a CRD another
   * binding owns is shared when it may be, and otherwise reported, never overwritten.
   */
  private async applyConsumerCrd(
    schema: BoundSchema,
    binding: KubeObject,
    version: ServerVersion,
    signal: AbortSignal,
  ): Promise<ConditionInput | undefined> {
    const { o } = this;
    const name = binding.metadata.name;
    const owner = { name, uid: binding.metadata.uid ?? "" };
    const crd = adaptCrdToServer(consumerCrd(schema, owner), version).crd;
    const hash = shortHash(canonicalJson(crd.spec));
    crd.metadata.annotations = { [schemaHashAnnotation]: hash };
    const existing = o.crds.get(crd.metadata.name);
    const log = { binding: name, crd: crd.metadata.name };
    try {
      if (existing === undefined) {
        await o.consumer.create(crd, { signal });
        this.log.info(log, "CRD created on the consumer");
      } else if (ownedByBinding(existing, owner)) {
        if (existing.metadata.annotations?.[schemaHashAnnotation] === hash) return undefined;
        const annotations = { ...existing.metadata.annotations, ...crd.metadata.annotations };
        await o.consumer.update(
          { ...existing, metadata: { ...existing.metadata, annotations }, spec: crd.spec },
          { signal },
        );
        this.log.info(log, "CRD updated on the consumer");
      } else if (this.mayShare(existing, binding, hash)) {
        const ownerReferences = [
          ...(existing.metadata.ownerReferences ?? []),
          { ...bindingOwnerReference(owner), controller: false },
        ];
        await o.consumer.update(
          { ...existing, metadata: { ...existing.metadata, ownerReferences } },
          { signal },
        );
        this.log.info(log, "CRD shared with another binding of the same schema");
      } else {
        return {
          type: "Connected",
          status: "False",
          severity: "Error",
          reason: "ForeignCustomResourceDefinition",
          message: `CustomResourceDefinition ${crd.metadata.name} exists and is not owned by this binding`,
        };
      }
      return undefined;
    } catch (error) {
      if (!isKubeError(error, "Invalid")) throw error;
      return {
        type: "Connected",
        status: "False",
        severity: "Error",
        reason:
          existing === undefined
            ? "CustomResourceDefinitionCreateFailed"
            : "CustomResourceDefinitionUpdateFailed",
        message: (error as Error).message,
      };
    }
  }

  /**
   * Whether a binding may join a consumer CRD another binding owns (ADR 0007): the same schema
   * from the same kind of BoundSchema (equal spec hash), a namespaced kind, and both bindings
   * limited to namespaces, so that each consumer object belongs to exactly one of them.
   */
  private mayShare(crd: KubeObject, binding: KubeObject, hash: string): boolean {
    if (crd.metadata.annotations?.[schemaHashAnnotation] !== hash) return false;
    if ((crd.spec as { scope?: string }).scope !== "Namespaced") return false;
    const ours = consentOf(binding)?.namespaces ?? [];
    if (ours.length === 0) return false;
    const owners = (crd.metadata.ownerReferences ?? []).filter(
      (r) => r.kind === "APIServiceBinding",
    );
    return (
      owners.length > 0 &&
      owners.every((r) => {
        const other = this.o.bindings.get(r.name as string);
        const theirs = other ? (consentOf(other)?.namespaces ?? []) : [];
        return theirs.length > 0 && !theirs.some((n) => ours.includes(n));
      })
    );
  }

  private syncedCondition(name: string): ConditionInput {
    const counts = this.tallyOf(name).counts();
    const message = `${counts.synced} synced, ${counts.pending} pending, ${counts.conflicted} conflicted${
      counts.conflicts.length > 0 ? `: ${counts.conflicts.join("; ")}` : ""
    }`;
    if (counts.conflicted > 0) {
      return { type: "Synced", status: "False", severity: "Warning", reason: "Conflict", message };
    }
    if (counts.pending > 0) {
      return { type: "Synced", status: "False", severity: "Info", reason: "Pending", message };
    }
    return { type: "Synced", status: "True", reason: "Synced", message };
  }

  private updateBindingConditions(
    name: string,
    inputs: readonly ConditionInput[],
    fields: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<void> {
    return updateBindingStatus(
      { client: this.o.consumer, bindings: this.o.bindings, now: this.o.now },
      name,
      inputs,
      fields,
      signal,
    );
  }

  // ---- syncers per export (spec §6.6) ----

  private async reconcileExport(key: string, signal: AbortSignal): Promise<void> {
    const { o } = this;
    const name = key.slice(key.indexOf("/") + 1);
    const exp = this.exports.get(name, o.clusterNamespace) as ServiceExport | undefined;
    const binding = this.bindingNames.has(name) ? o.bindings.get(name) : undefined;
    let running = this.running.get(name);
    if (exp === undefined || binding === undefined) {
      if (running !== undefined) {
        this.running.delete(name);
        await Promise.all([...running.resources.values()].map((r) => r.syncer.stop()));
        await Promise.all([...running.claims.values()].map((c) => c.syncer.retire(signal)));
        this.log.info({ export: name }, "syncers stopped");
      }
      return;
    }
    if (running === undefined) {
      running = { resources: new Map(), claims: new Map() };
      this.running.set(name, running);
    }
    this.clusterNamespaceUid ??= (
      await o.provider.get(
        { apiVersion: "v1", kind: "Namespace", name: o.clusterNamespace },
        { signal },
      )
    ).metadata.uid;
    const context = this.exportContext(exp, binding);
    const { schemas, referencedKinds } = await this.syncResources(context, running);
    await this.syncClaims(context, running, referencedKinds, signal);
    await this.reportToProvider(exp, binding, schemas, signal);
  }

  /** What the syncers of one export share. */
  private exportContext(exp: ServiceExport, binding: KubeObject): ExportContext {
    const { o } = this;
    const consentNamespaces = consentOf(binding)?.namespaces ?? [];
    return {
      exp,
      binding,
      consentNamespaces,
      tally: this.tallyOf(exp.metadata.name),
      ensureServiceNamespace: (consumerNamespace, signal) =>
        this.ensureServiceNamespace(exp, consumerNamespace, signal),
      mappedNamespaces: () =>
        this.serviceNamespaces
          .list(o.clusterNamespace)
          .filter(
            (sn) => consentNamespaces.length === 0 || consentNamespaces.includes(sn.metadata.name),
          )
          .flatMap((sn) => {
            const ns = (sn.status as { namespace?: string } | undefined)?.namespace;
            return ns ? [ns] : [];
          }),
    };
  }

  /**
   * A {@link ResourceSyncer} per exported resource whose BoundSchema exists and whose consumer CRD
   * is this binding's and established; restarted when the export, the strategy or the consented
   * namespaces change.
   */
  private async syncResources(
    context: ExportContext,
    running: RunningExport,
  ): Promise<{ schemas: BoundSchema[]; referencedKinds: ReferencedKind[] }> {
    const { o } = this;
    const { exp, binding, consentNamespaces } = context;
    const name = exp.metadata.name;
    const referencedKinds: ReferencedKind[] = [];
    const schemas: BoundSchema[] = [];
    for (const resource of exp.spec.resources) {
      const resourceKey = resourceGroupName(resource);
      const schema = this.boundSchemas.get(resourceKey, o.clusterNamespace) as
        BoundSchema | undefined;
      const version = schema ? syncVersion(schema) : undefined;
      if (schema === undefined || version === undefined || !this.servedFor(schema, binding)) {
        const old = running.resources.get(resourceKey);
        running.resources.delete(resourceKey);
        await old?.syncer.stop();
        continue;
      }
      schemas.push(schema);
      const apiVersion = `${schema.spec.group}/${version}`;
      const kind = schema.spec.names.kind;
      referencedKinds.push({
        group: schema.spec.group,
        resource: schema.spec.names.plural,
        apiVersion,
        kind,
      });
      const strategy = isolationStrategy(schema.spec.scope, exp.spec.isolation);
      const signature = canonicalJson({
        apiVersion,
        kind,
        strategy,
        informerScope: exp.spec.informerScope,
        generation: exp.metadata.generation,
        consentNamespaces,
      });
      if (running.resources.get(resourceKey)?.signature === signature) continue;
      await running.resources.get(resourceKey)?.syncer.stop();
      const clusterWide =
        exp.spec.informerScope === "Cluster" || strategy === "None" || strategy === "Prefixed";
      const syncer = new ResourceSyncer({
        name: `${name}/${resourceKey}`,
        consumer: o.consumer,
        provider: o.provider,
        consumerInformers: o.consumerInformers,
        providerInformers: this.providerInformers,
        apiVersion,
        kind,
        clusterNamespace: o.clusterNamespace,
        clusterNamespaceUid: this.clusterNamespaceUid ?? "",
        mapper: new KeyMapper(strategy, o.clusterNamespace, this.namespaces),
        ...(schema.spec.scope === "Namespaced" && consentNamespaces.length > 0
          ? { consumerNamespaces: consentNamespaces }
          : {}),
        providerNamespaces: () =>
          clusterWide
            ? "all"
            : strategy === "Namespaced"
              ? [o.clusterNamespace]
              : context.mappedNamespaces(),
        serviceNamespaces: this.serviceNamespaces,
        ensureServiceNamespace: context.ensureServiceNamespace,
        tally: context.tally,
        logger: this.log,
      });
      running.resources.set(resourceKey, { syncer, signature });
      void syncer.start().catch((error: unknown) => {
        if (!syncer.stopped) this.log.error({ err: error }, "syncer failed to start");
      });
      this.log.info({ export: name, resource: resourceKey, strategy }, "syncing");
    }
    return { schemas, referencedKinds };
  }

  /**
   * Whether the consumer CRD of a BoundSchema is owned by the binding (alone or shared) and
   * established, so its kind is served and its objects are the binding's. The objects of a CRD
   * someone else owns (`ForeignCustomResourceDefinition`) are never synced.
   */
  private servedFor(schema: BoundSchema, binding: KubeObject): boolean {
    const crd = this.o.crds.get(`${schema.spec.names.plural}.${schema.spec.group}`);
    if (
      crd === undefined ||
      !ownedByBinding(crd, { name: binding.metadata.name, uid: binding.metadata.uid ?? "" })
    ) {
      return false;
    }
    const conditions = (crd.status as { conditions?: { type: string; status: string }[] })
      ?.conditions;
    return conditions?.some((c) => c.type === "Established" && c.status === "True") ?? false;
  }

  /**
   * A {@link ClaimSyncer} per accepted claim (updated in place when the claim changes); a claim
   * no longer accepted is retired, which removes the copies it made.
   */
  private async syncClaims(
    context: ExportContext,
    running: RunningExport,
    referencedKinds: ReferencedKind[],
    signal: AbortSignal,
  ): Promise<void> {
    const { o } = this;
    const { exp, binding } = context;
    const name = exp.metadata.name;
    const claims = acceptedClaims(
      (exp.spec.permissionClaims ?? []).map(permissionClaimOf),
      consentOf(binding),
      exp.spec.resources,
    );
    const wanted = new Set<string>();
    const kinds = referencedKinds.map((k) => `${k.resource}.${k.group}`).join();
    for (const claim of claims) {
      const claimKey = `${claim.claim.resource}.${claim.claim.group || "core"}`;
      const kind = claimableKinds[claim.claim.resource];
      if (claim.claim.group !== "" || kind === undefined) continue;
      wanted.add(claimKey);
      const existing = running.claims.get(claimKey);
      if (existing?.kinds === kinds) {
        existing.syncer.update(claim);
        continue;
      }
      // Started before every referenced kind was served: start again with all of them.
      await existing?.syncer.stop();
      const syncer = new ClaimSyncer({
        exportName: name,
        name: `${name}/claim/${claimKey}`,
        consumer: o.consumer,
        provider: o.provider,
        consumerInformers: o.consumerInformers,
        providerInformers: this.providerInformers,
        apiVersion: "v1",
        kind,
        claim,
        referencedKinds,
        namespaces: this.namespaces,
        providerNamespaces: () =>
          exp.spec.informerScope === "Cluster" ? "all" : context.mappedNamespaces(),
        serviceNamespaces: this.serviceNamespaces,
        ensureServiceNamespace: context.ensureServiceNamespace,
        tally: context.tally,
        logger: this.log,
      });
      running.claims.set(claimKey, { syncer, kinds });
      void syncer.start().catch((error: unknown) => {
        if (!syncer.stopped) this.log.error({ err: error }, "claim syncer failed to start");
      });
      this.log.info(
        { export: name, claim: claimKey, direction: claim.direction },
        "syncing claimed objects",
      );
    }
    for (const [claimKey, { syncer }] of running.claims) {
      if (wanted.has(claimKey)) continue;
      running.claims.delete(claimKey);
      await syncer.retire(signal);
      this.log.info({ export: name, claim: claimKey }, "claim withdrawn: its copies are removed");
    }
  }

  /** Export conditions `Connected`/`ConsumerInSync` and the consumer CRDs' state into BoundSchemas. */
  private async reportToProvider(
    exp: ServiceExport,
    binding: KubeObject,
    schemas: readonly BoundSchema[],
    signal: AbortSignal,
  ): Promise<void> {
    const { o } = this;
    const now = o.now();
    for (const schema of schemas) {
      const crd = o.crds.get(`${schema.spec.names.plural}.${schema.spec.group}`);
      if (crd === undefined) continue;
      const crdStatus = (crd.status ?? {}) as {
        conditions?: { type: string; status: string; reason?: string; message?: string }[];
        acceptedNames?: unknown;
        storedVersions?: unknown;
      };
      let conditions = (schema.status as { conditions?: KubeBindCondition[] } | undefined)
        ?.conditions;
      for (const c of crdStatus.conditions ?? []) {
        if (c.type === "Ready") continue;
        conditions = setCondition(
          conditions,
          {
            type: c.type,
            status: c.status as KubeBindCondition["status"],
            ...(c.status === "True" ? {} : { severity: "Error" as const }),
            ...(c.reason ? { reason: c.reason } : {}),
            ...(c.message ? { message: c.message } : {}),
          },
          now,
        );
      }
      const status = {
        ...((schema.status ?? {}) as Record<string, unknown>),
        ...(crdStatus.acceptedNames ? { acceptedNames: crdStatus.acceptedNames } : {}),
        ...(crdStatus.storedVersions ? { storedVersions: crdStatus.storedVersions } : {}),
        conditions: setReadySummary(conditions, now),
      };
      const patch = mergePatchBetween(schema.status ?? {}, status);
      if (patch !== undefined) {
        await o.provider.patchStatus(objectRefOf(schema), { status: patch }, { signal });
      }
    }
    const inSync = findCondition(
      (binding.status as { conditions?: KubeBindCondition[] } | undefined)?.conditions,
      "SchemaInSync",
    );
    const inputs: ConditionInput[] = [
      { type: "Connected", status: "True" },
      inSync
        ? {
            type: "ConsumerInSync",
            status: inSync.status,
            ...(inSync.severity ? { severity: inSync.severity } : {}),
            ...(inSync.reason ? { reason: inSync.reason } : {}),
            ...(inSync.message ? { message: inSync.message } : {}),
          }
        : { type: "ConsumerInSync", status: "False", severity: "Info", reason: "Unknown" },
    ];
    const desiredFrom = (status: Record<string, unknown>) => {
      let conditions = status.conditions as KubeBindCondition[] | undefined;
      for (const input of inputs) conditions = setCondition(conditions, input, now);
      return { ...status, conditions: setReadySummary(conditions, now) };
    };
    const cached = (exp.status ?? {}) as Record<string, unknown>;
    if (mergePatchBetween(cached, desiredFrom(cached)) === undefined) return;
    await updateWithRetry(
      o.provider,
      objectRefOf(exp),
      (current) => {
        const status = (current.status ?? {}) as Record<string, unknown>;
        const desired = desiredFrom(status);
        return mergePatchBetween(status, desired) === undefined
          ? undefined
          : { ...current, status: desired };
      },
      { signal, status: true },
    ).catch((error: unknown) => {
      if (!isKubeError(error, "NotFound")) throw error;
    });
  }

  /** Creates the APIServiceNamespace for a consumer namespace (owned by the export) if missing. */
  private async ensureServiceNamespace(
    exp: ServiceExport,
    consumerNamespace: string,
    signal: AbortSignal,
  ): Promise<void> {
    if (this.serviceNamespaces.get(consumerNamespace, this.o.clusterNamespace)) return;
    try {
      await this.o.provider.create(
        {
          apiVersion: kubeBindApiVersion,
          kind: "APIServiceNamespace",
          metadata: {
            name: consumerNamespace,
            namespace: this.o.clusterNamespace,
            ownerReferences: [
              {
                apiVersion: kubeBindApiVersion,
                kind: "APIServiceExport",
                name: exp.metadata.name,
                uid: exp.metadata.uid ?? "",
                controller: true,
              },
            ],
          },
          spec: {},
        },
        { signal },
      );
      this.log.info({ namespace: consumerNamespace }, "asked the provider for a namespace");
    } catch (error) {
      if (!isKubeError(error, "Conflict")) throw error;
    }
  }
}

/** On a consumer CRD: a hash of the spec the konnector last wrote, so unchanged schemas cost nothing. */
const schemaHashAnnotation = "bindops.dev/schema-hash";

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** The kinds kube-bind lets claims name (spec §4.1). */
const claimableKinds: Record<string, string> = {
  secrets: "Secret",
  configmaps: "ConfigMap",
  serviceaccounts: "ServiceAccount",
};

function ownerBindingNames(object: KubeObject): string[] {
  return (object.metadata.ownerReferences ?? [])
    .filter((r) => r.kind === "APIServiceBinding" && typeof r.name === "string")
    .map((r) => r.name as string);
}

/** A duration as Go prints it: `5m0s`, `30s`, `1h0m0s`, `1.5s`, `400ms`. */
export function formatGoDuration(ms: number): string {
  if (ms > 0 && ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}
