import { KubeConfig } from "@kubernetes/client-node";
import { BindopsError } from "../core/errors.js";
import { RestKubeClient } from "./rest-kube-client.js";

/**
 * Opens a provider from the kubeconfig a consumer Secret holds (what kube-bind's backend issues):
 * its current context must name a namespace, the consumer's cluster namespace. Errors never quote
 * the kubeconfig, which holds a token.
 */
export function openProviderKubeconfig(
  text: string,
  options: { requestTimeoutMs?: number } = {},
): { client: RestKubeClient; namespace: string } {
  const kc = new KubeConfig();
  try {
    kc.loadFromString(text);
  } catch {
    throw new BindopsError("usage", "kubeconfig-invalid", "the kubeconfig is not valid YAML");
  }
  const context = kc.getCurrentContext() ? kc.getContextObject(kc.getCurrentContext()) : null;
  if (!context) {
    throw new BindopsError("usage", "kubeconfig-context", "the kubeconfig has no current context");
  }
  if (!context.namespace) {
    throw new BindopsError(
      "usage",
      "kubeconfig-namespace",
      `context ${context.name} of the kubeconfig names no namespace (the cluster namespace)`,
    );
  }
  if (!kc.getCluster(context.cluster)) {
    throw new BindopsError(
      "usage",
      "kubeconfig-cluster",
      `context ${context.name} names cluster ${context.cluster}, which the kubeconfig lacks`,
    );
  }
  return { client: new RestKubeClient(kc, options), namespace: context.namespace };
}
