import {
  findOnboarding,
  readConsumerIdentity,
  type ConsumerOnboarding,
} from "../backend/onboard-consumer.js";
import { kubeBindApiVersion } from "../core/kube-bind-objects.js";
import { kubeObjectOf, type KubeObject } from "../core/kube-object.js";
import type { Snapshot } from "../core/snapshot.js";
import type { KubeClient } from "../kube/kube-client.js";
import { getOrUndefined } from "../kube/not-found.js";
import { loadFiles } from "../manifests/load-files.js";
import {
  apiServiceBindingDiffers,
  bindingLabel,
  bindopsKeys,
  consumerNamespaceObject,
  desiredBindings,
  desiredProviderObjects,
  kubeconfigSecretObject,
  requestSpecDiffers,
  type DesiredBinding,
} from "../plan/desired-state.js";
import {
  desiredInventory,
  inventoryEntry,
  inventoryRef,
  objectKeyOf,
  pruneCandidates,
  pruneDecision,
  prunedWith,
  readableInventory,
  takeoverDue,
  type ObjectKey,
} from "../plan/inventory.js";
import { planObject, type ClusterPlan, type Plan, type PlannedObject } from "../plan/plan.js";
import { repositoryModel, type RepositoryModel } from "../plan/repository-model.js";
import type { ValidateReport } from "../report/validate-report.js";
import { kubeBindCrds } from "../schema/kube-bind-crds.js";
import { onboardingRequestName, onboardingRequestNamespace } from "./request-onboarding.js";
import { foreignInventories, readInventory, serverCrd } from "./live-state.js";
import { defaultTakeoverAfterMs, refusalMessage, type ClusterClients } from "./reconcile-once.js";

/** Options of {@link readPlan}. */
export interface ReadPlanOptions {
  snapshot: Snapshot;
  /** The validation of `snapshot`: a revision with errors would be refused. */
  report: ValidateReport;
  /** The content revision (as `bindops reconcile` computes it). */
  revision: string;
  /** Connected clusters; only read (get and list), never written. */
  clients: ClusterClients;
  /** Clusters that could not be connected, with why: planned as unreachable. */
  unreachable?: ReadonlyMap<string, string>;
  /**
   * How consumers would be onboarded (`--backend`): `direct` by bindops's own backend (a cluster
   * namespace), `request` through an external kube-bind backend (a `BindableResourcesRequest`).
   * Default `direct`.
   */
  onboarding?: "direct" | "request";
  signal?: AbortSignal;
}

/** The stages of a reconcile, in the order it applies and prunes. */
const stage = {
  kubeBindCrds: 0,
  crds: 1,
  templates: 2,
  onboarding: 3,
  requests: 4,
  consumerNamespace: 5,
  secrets: 6,
  bindings: 7,
  prune: 8,
} as const;

/**
 * What `bindops reconcile` of this revision would do, read from the clusters without writing to
 * them: the objects it applies (kube-bind's CRDs, each provider's CRDs adapted to its server and
 * templates, consumers' onboarding, each binding's request, the consumer's namespace, kubeconfig
 * Secret and APIServiceBinding), each compared with the live one, and what it would prune by
 * the inventory, per cluster in apply order. Suspended bindings are left as they are; bindings
 * whose clusters cannot be read are listed as blocked.
 */
export async function readPlan(options: ReadPlanOptions): Promise<Plan> {
  const { revision, clients } = options;
  const model = repositoryModel(loadFiles(options.snapshot.files).documents);
  const refused = refusalMessage(options.report, revision);
  if (refused !== undefined) return { revision, refused, blocked: [], clusters: [] };
  const unreachable = new Map(options.unreachable ?? []);
  for (const cluster of model.clusters.keys()) {
    if (!clients.has(cluster) && !unreachable.has(cluster))
      unreachable.set(cluster, "not connected");
  }
  const reader = new PlanReader(clients, unreachable, options.signal);

  // kube-bind's CRDs, which the reconciler installs on every cluster it connects to.
  const kubeBind = kubeBindCrds().flatMap((crd) => kubeObjectOf(crd) ?? []);
  for (const [cluster, client] of reader.reachable(model.clusters.keys())) {
    for (const crd of kubeBind) await reader.planCrd(cluster, client, crd, stage.kubeBindCrds);
  }
  // Each provider's CRDs and templates.
  for (const [provider, content] of desiredProviderObjects(model, revision)) {
    for (const [, client] of reader.reachable([provider])) {
      for (const crd of content.crds) await reader.planCrd(provider, client, crd, stage.crds);
      for (const template of content.templates) {
        reader.add(
          provider,
          stage.templates,
          planObject(template, await reader.live(client, template)),
        );
      }
    }
  }
  const onboardings = await reader.planOnboarding(model, options.onboarding ?? "direct");
  const { planned, unplanned } = desiredBindings(
    model,
    (provider, consumer) => onboardings.get(`${provider}/${consumer}`)?.namespace ?? "",
    revision,
  );
  reader.blocked.push(...unplanned.map((u) => ({ binding: u.key, reason: u.reason })));
  for (const desired of planned) {
    await reader.planBinding(
      desired,
      onboardings.get(`${desired.binding.provider}/${desired.binding.consumer}`),
    );
  }
  await reader.planPrunes(model, desiredInventory(model, planned));

  const clusterPlans: ClusterPlan[] = [...model.clusters]
    .sort(([, a], [, b]) => (a === b ? 0 : a === "provider" ? -1 : 1))
    .map(([cluster, role]) => {
      const why = unreachable.get(cluster);
      if (why !== undefined) return { cluster, role, unreachable: why, objects: [] };
      return { cluster, role, objects: reader.objectsOf(cluster) };
    });
  return { revision, blocked: reader.blocked, clusters: clusterPlans };
}

/** The reads of one plan, and the objects planned so far per cluster and stage. */
class PlanReader {
  readonly blocked: Plan["blocked"] = [];
  private readonly staged = new Map<
    string,
    Map<string, { stage: number; object: PlannedObject }>
  >();
  private readonly heldBack = new Set<string>();
  private readonly call: { signal?: AbortSignal };

  constructor(
    private readonly clients: ClusterClients,
    private readonly unreachable: ReadonlyMap<string, string>,
    signal: AbortSignal | undefined,
  ) {
    this.call = signal ? { signal } : {};
  }

  *reachable(clusters: Iterable<string>): Generator<[string, KubeClient]> {
    for (const cluster of clusters) {
      const client = this.clients.get(cluster);
      if (client && !this.unreachable.has(cluster)) yield [cluster, client];
    }
  }

  live(client: KubeClient, object: KubeObject | ObjectKey): Promise<KubeObject | undefined> {
    return getOrUndefined(client, "metadata" in object ? objectKeyOf(object) : object, this.call);
  }

  /** Objects several bindings share (the consumer namespace, a kubeconfig Secret) count once. */
  add(cluster: string, at: number, object: PlannedObject): void {
    const objects =
      this.staged.get(cluster) ?? new Map<string, { stage: number; object: PlannedObject }>();
    const id = [object.apiVersion, object.kind, object.namespace ?? "", object.name].join("|");
    if (!objects.has(id)) objects.set(id, { stage: at, object });
    this.staged.set(cluster, objects);
  }

  /** The objects of a cluster in apply order: by stage, then in the order they were planned. */
  objectsOf(cluster: string): PlannedObject[] {
    return [...(this.staged.get(cluster)?.values() ?? [])]
      .map((entry, index) => ({ ...entry, index }))
      .sort((a, b) => a.stage - b.stage || a.index - b.index)
      .map((entry) => entry.object);
  }

  async planCrd(cluster: string, client: KubeClient, crd: KubeObject, at: number): Promise<void> {
    const desired = await serverCrd(client, crd, this.call);
    this.add(cluster, at, planObject(desired, await this.live(client, crd)));
  }

  /**
   * Each (provider, consumer) pair's cluster namespace, found without creating anything; a
   * consumer not onboarded yet is onboarded by creating its cluster namespace (`direct`) or by
   * asking the external backend with a `BindableResourcesRequest` (`request`).
   */
  async planOnboarding(
    model: RepositoryModel,
    through: "direct" | "request",
  ): Promise<Map<string, ConsumerOnboarding>> {
    const onboardings = new Map<string, ConsumerOnboarding>();
    for (const b of model.bindings) {
      const pair = `${b.provider}/${b.consumer}`;
      if (onboardings.has(pair) || this.down(b.provider, b.consumer).length > 0) continue;
      const identity = await readConsumerIdentity(
        this.clients.get(b.consumer)!,
        b.consumer,
        this.call,
      );
      const found = await findOnboarding(this.clients.get(b.provider)!, { identity, ...this.call });
      onboardings.set(pair, found);
      const client = this.clients.get(b.provider)!;
      if (through === "request" && !(found.exists && found.clusterBinding)) {
        const request = {
          apiVersion: kubeBindApiVersion,
          kind: "BindableResourcesRequest",
          namespace: onboardingRequestNamespace,
          name: onboardingRequestName(b.consumer),
        };
        this.add(b.provider, stage.onboarding, {
          ...request,
          action: (await this.live(client, request)) === undefined ? "create" : "unchanged",
          reason: `onboarding of consumer ${b.consumer}, asked of the external kube-bind backend`,
        });
        continue;
      }
      this.add(b.provider, stage.onboarding, {
        apiVersion: "v1",
        kind: "Namespace",
        name: found.namespace,
        action: found.exists ? "unchanged" : "create",
        reason: `onboarding of consumer ${b.consumer}`,
      });
    }
    return onboardings;
  }

  /** A binding's request, and on its consumer the namespace, kubeconfig Secret and binding. */
  async planBinding(
    desired: DesiredBinding,
    onboarding: ConsumerOnboarding | undefined,
  ): Promise<void> {
    const { provider, consumer } = desired.binding;
    const binding = desired.key;
    const unreadable = this.down(provider, consumer);
    if (unreadable.length > 0) {
      this.heldBack.add(bindingLabel(binding));
      this.blocked.push({
        binding,
        reason: `cluster ${unreadable.join(", ")} could not be reached: the binding would be left as it is`,
      });
      return;
    }
    const providerClient = this.clients.get(provider)!;
    const consumerClient = this.clients.get(consumer)!;
    const liveRequest = await this.live(providerClient, desired.request);
    const liveBinding = await this.live(consumerClient, desired.apiServiceBinding);
    if (desired.binding.suspend) {
      const reason = "suspended: bindops leaves it as it is";
      if (liveRequest) this.add(provider, stage.requests, leftAlone(liveRequest, binding, reason));
      if (liveBinding) this.add(consumer, stage.bindings, leftAlone(liveBinding, binding, reason));
      return;
    }
    const replace = liveRequest !== undefined && requestSpecDiffers(liveRequest, desired.request);
    this.add(
      provider,
      stage.requests,
      planObject(desired.request, liveRequest, {
        binding,
        ...(replace
          ? {
              replace,
              reason:
                "kube-bind's request spec is immutable: the request and its export are made again",
            }
          : {}),
      }),
    );
    this.add(
      consumer,
      stage.consumerNamespace,
      planObject(consumerNamespaceObject, await this.live(consumerClient, consumerNamespaceObject)),
    );
    const providerSecret = onboarding?.exists
      ? await this.live(providerClient, {
          apiVersion: "v1",
          kind: "Secret",
          ...onboarding.kubeconfigSecret,
        })
      : undefined;
    const kubeconfig = (providerSecret?.data as { kubeconfig?: string } | undefined)?.kubeconfig;
    const secret = kubeconfigSecretObject(desired, kubeconfig);
    this.add(
      consumer,
      stage.secrets,
      planObject(secret, await this.live(consumerClient, secret), {
        ...(kubeconfig === undefined
          ? { reason: "its kubeconfig is copied from the provider once the consumer is onboarded" }
          : {}),
      }),
    );
    const replaceBinding =
      liveBinding !== undefined &&
      (replace || apiServiceBindingDiffers(liveBinding, desired.apiServiceBinding));
    this.add(
      consumer,
      stage.bindings,
      planObject(desired.apiServiceBinding, liveBinding, {
        binding,
        ...(replaceBinding
          ? {
              replace: true,
              reason: replace
                ? "made again with its request"
                : "its spec is immutable: it is made again",
            }
          : {}),
      }),
    );
  }

  /** What each cluster's inventory lists and git no longer has, as reconcile would prune it. */
  async planPrunes(
    model: RepositoryModel,
    inventory: ReadonlyMap<string, ObjectKey[]>,
  ): Promise<void> {
    for (const [cluster, client] of this.reachable(model.clusters.keys())) {
      // Other layouts' inventories (`--shards` before) that reconcile would take over now.
      const found = await foreignInventories(client, inventoryRef.name, this.call);
      const foreign = found === "forbidden" ? [] : found;
      const due = foreign.filter((f) => takeoverDue(f, Date.now(), defaultTakeoverAfterMs));
      const listed = [
        await readInventory(client, this.call),
        ...due.map((f) => readableInventory(f) ?? []),
      ];
      const before = [...new Map(listed.flat().map((k) => [inventoryEntry(k), k])).values()];
      for (const key of pruneCandidates(before, inventory.get(cluster) ?? [])) {
        const object = await this.live(client, key);
        if (pruneDecision(object, this.heldBack) !== "prune") continue;
        const label = object?.metadata.labels?.[bindopsKeys.binding];
        const binding = label ? { binding: label.replace(".", "/") } : {};
        this.add(cluster, stage.prune, {
          ...key,
          action: "prune",
          ...binding,
          reason: "git no longer has it",
        });
        for (const companion of prunedWith(key)) {
          if (!(await this.live(client, companion))) continue;
          this.add(cluster, stage.prune, {
            ...companion,
            action: "prune",
            ...binding,
            reason: "the backend made it for the pruned request",
          });
        }
      }
    }
  }

  private down(...clusters: string[]): string[] {
    return clusters.filter((c) => this.unreachable.has(c));
  }
}

function leftAlone(live: KubeObject, binding: string, reason: string): PlannedObject {
  return { ...objectKeyOf(live), action: "unchanged", binding, reason };
}
