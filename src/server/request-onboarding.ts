import { setTimeout as sleep } from "node:timers/promises";
import type { BindableRequest } from "../backend/bindable-request.js";
import {
  findOnboarding,
  type ConsumerOnboarding,
  type OnboardedConsumer,
} from "../backend/onboard-consumer.js";
import { kubeBindApiVersion } from "../core/kube-bind-objects.js";
import { BindopsError } from "../core/errors.js";
import type { KubeClient } from "../kube/kube-client.js";
import { getOrUndefined, ignoreNotFound } from "../kube/not-found.js";

/** Where bindops asks an external backend to onboard consumers: kube-bind's own namespace. */
export const onboardingRequestNamespace = "kube-bind";

export interface RequestOnboardingOptions {
  /** The consumer cluster's name in the repository. */
  consumer: string;
  /** The consumer's identity: its `kube-system` namespace UID. */
  identity: string;
  /** A template the consumer binds (the backend checks that it exists). */
  template: string;
  author: string;
  /** How long to wait for the backend's answer. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The name of a consumer's `BindableResourcesRequest`: `bindops-<consumer>`. */
export function onboardingRequestName(consumer: string): string {
  return `bindops-${consumer}`;
}

/**
 * Onboards a consumer through a kube-bind backend run with `--frontend-disabled` (spec §3.10):
 * applies a `BindableResourcesRequest` in namespace `kube-bind` and waits for its phase. The
 * backend creates the cluster namespace, the `ClusterBinding` and the consumer's kubeconfig
 * Secret, which the `ClusterBinding` names; bindops copies that to the consumer as it does with
 * its own backend. A request made for another identity (the consumer cluster was rebuilt) is made
 * again; a finished one is left as it is. `Failed` is an error with the backend's message.
 */
export async function onboardThroughRequest(
  client: KubeClient,
  options: RequestOnboardingOptions,
): Promise<OnboardedConsumer> {
  const call = options.signal ? { signal: options.signal } : {};
  const ref = {
    apiVersion: kubeBindApiVersion,
    kind: "BindableResourcesRequest",
    namespace: onboardingRequestNamespace,
    name: onboardingRequestName(options.consumer),
  };
  const where = `BindableResourcesRequest ${ref.namespace}/${ref.name}`;
  // Onboarded already (by an earlier request, by kubectl bind, by bindops itself): nothing to ask.
  const before = await findOnboarding(client, { identity: options.identity, ...call });
  if (before.exists && before.clusterBinding) return onboarded(before);
  let request = (await getOrUndefined(client, ref, call)) as BindableRequest | undefined;
  if (request && stale(request, options)) {
    // Made for another identity (a rebuilt consumer), answered but undone since (the cluster
    // namespace was deleted), or failed for a template that exists now: asked again.
    await client.delete(ref, call).catch(ignoreNotFound);
    const gone = Date.now() + options.timeoutMs;
    while (await getOrUndefined(client, ref, call)) {
      if (Date.now() > gone) {
        throw new BindopsError(
          "unreachable",
          "onboarding-timeout",
          `${where} is still there ${Math.round(options.timeoutMs / 1000)} s after bindops deleted it to ask again`,
        );
      }
      await sleep(200, undefined, call);
    }
    request = undefined;
  }
  if (request === undefined) {
    await client.apply(
      { apiVersion: "v1", kind: "Namespace", metadata: { name: onboardingRequestNamespace } },
      call,
    );
    await client.apply(
      {
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: {
          name: ref.name,
          namespace: ref.namespace,
          labels: { "app.kubernetes.io/managed-by": "bindops" },
        },
        spec: {
          templateRef: { name: options.template },
          clusterIdentity: { identity: options.identity, prettyName: options.consumer },
          author: options.author,
          kubeconfigSecretRef: { name: `${ref.name}-kubeconfig`, key: "kubeconfig" },
        },
      },
      call,
    );
  }
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const live = (await getOrUndefined(client, ref, call)) as BindableRequest | undefined;
    const phase = live?.status?.phase;
    if (phase === "Succeeded" && live?.status?.namespace) break;
    if (phase === "Failed") {
      const ready = (
        live?.status?.conditions as { type?: string; message?: string }[] | undefined
      )?.find((c) => c.type === "Ready");
      throw new BindopsError(
        "invalid",
        "onboarding-failed",
        `the backend refused ${where}: ${ready?.message ?? "Failed"}`,
        {
          hint: `delete it to ask again: kubectl -n ${ref.namespace} delete bindableresourcesrequest ${ref.name}`,
        },
      );
    }
    if (Date.now() > deadline) {
      throw new BindopsError(
        "unreachable",
        "onboarding-timeout",
        `no kube-bind backend answered ${where} within ${Math.round(options.timeoutMs / 1000)} s`,
        {
          hint: "--backend external needs kube-bind's backend on the provider, run with --frontend-disabled",
        },
      );
    }
    await sleep(250, undefined, call);
  }
  const found = await findOnboarding(client, { identity: options.identity, ...call });
  // The answer Secret holds a copy of the consumer's token that bindops does not read (it copies
  // the one the ClusterBinding names): it is not left lying around.
  const answer = (await getOrUndefined(client, ref, call)) as BindableRequest | undefined;
  const secret = answer?.status?.kubeconfigSecretRef?.name;
  if (secret) {
    await client
      .delete({ apiVersion: "v1", kind: "Secret", namespace: ref.namespace, name: secret }, call)
      .catch(ignoreNotFound);
  }
  return onboarded(found);
}

function onboarded(found: ConsumerOnboarding): OnboardedConsumer {
  return {
    namespace: found.namespace,
    kubeconfigSecret: { ...found.kubeconfigSecret, key: "kubeconfig" },
  };
}

/** Whether a request on the provider no longer answers for this consumer as it is now. */
function stale(request: BindableRequest, options: RequestOnboardingOptions): boolean {
  if (request.spec.clusterIdentity.identity !== options.identity) return true;
  if (request.spec.templateRef?.name !== options.template) return true;
  // Succeeded, yet the consumer is not onboarded (checked before): undone since.
  return request.status?.phase === "Succeeded" || request.status?.phase === "Failed";
}
