import type { KubeObject } from "../core/kube-object.js";
import { kubeBindApiVersion } from "../core/kube-bind-objects.js";

/**
 * A `BindableResourcesRequest` (spec §3.10): a consumer's ask to be onboarded, answered with a
 * Secret holding its kubeconfig, as kube-bind's backend answers it when run without its frontend.
 */
export interface BindableRequest extends KubeObject {
  spec: {
    templateRef?: { name: string };
    clusterIdentity: { identity?: string; prettyName?: string };
    author: string;
    kubeconfigSecretRef?: { name: string; key: string };
    ttlAfterFinished?: string;
  };
  status?: {
    phase?: "Pending" | "Failed" | "Succeeded";
    namespace?: string;
    kubeconfigSecretRef?: { name: string; key: string };
    completionTime?: string;
    conditions?: unknown[];
  };
}

/**
 * Where the answer goes: the Secret and key the request names (an empty key is `kubeconfig`),
 * else `<request>-binding-response`, key `binding-response`.
 */
export function responseSecretRef(request: BindableRequest): { name: string; key: string } {
  const ref = request.spec.kubeconfigSecretRef;
  if (ref) return { name: ref.name, key: ref.key === "" ? "kubeconfig" : ref.key };
  return { name: `${request.metadata.name}-binding-response`, key: "binding-response" };
}

/**
 * The Secret that answers `request`: a JSON `BindingResourceResponse` holding only the
 * kubeconfig (base64, as Go encodes bytes), owned by the request so that it goes with it.
 */
export function responseSecret(request: BindableRequest, kubeconfig: string): KubeObject {
  const { name, key } = responseSecretRef(request);
  const response = {
    apiVersion: kubeBindApiVersion,
    kind: "BindingResourceResponse",
    kubeconfig: Buffer.from(kubeconfig).toString("base64"),
  };
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "Opaque",
    metadata: {
      name,
      namespace: request.metadata.namespace!,
      ownerReferences: [
        {
          apiVersion: kubeBindApiVersion,
          kind: "BindableResourcesRequest",
          name: request.metadata.name,
          uid: request.metadata.uid!,
          controller: true,
        },
      ],
    },
    data: { [key]: Buffer.from(JSON.stringify(response)).toString("base64") },
  };
}

/** The kubeconfig in a `BindingResourceResponse` Secret's value (base64 of the JSON). */
export function kubeconfigOfResponse(value: string): string | undefined {
  try {
    const response = JSON.parse(Buffer.from(value, "base64").toString("utf8")) as {
      kubeconfig?: unknown;
    };
    if (typeof response.kubeconfig !== "string") return undefined;
    return Buffer.from(response.kubeconfig, "base64").toString("utf8");
  } catch {
    return undefined;
  }
}

const durationUnitsMs: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1_000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 0.000001,
};

/** A Go duration (`1h30m`, `300s`, `1.5h`) in milliseconds; `undefined` when it is not one. */
export function parseGoDuration(text: string): number | undefined {
  if (!/^(\d+(\.\d+)?(h|m|s|ms|us|µs|ns))+$/.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) {
    total += Number(amount) * durationUnitsMs[unit!]!;
  }
  return total;
}
