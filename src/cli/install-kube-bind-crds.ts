import path from "node:path";
import type { Logger } from "pino";
import type { DevCluster } from "../dev/dev-cluster.js";
import { connectCluster, type ConnectedCluster } from "../kube/connect-cluster.js";
import { installCrds } from "../kube/install-crd.js";
import type { KubeObject } from "../kube/kube-client.js";
import { kubeBindCrds } from "../schema/kube-bind-crds.js";

/** Connects to a local cluster through the kubeconfig folder `dev up` wrote. */
export function connectDevCluster(
  cluster: DevCluster,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<ConnectedCluster> {
  return connectCluster(cluster.name, {
    kubeconfigDir: path.dirname(cluster.kubeconfigPath),
    env,
    signal,
  });
}

/**
 * Installs bindops's CRDs for kube-bind's kinds into a cluster (idempotent: server-side apply),
 * so that templates, export requests and bindings can be created there.
 */
export async function installKubeBindCrds(
  cluster: ConnectedCluster,
  logger: Logger,
  signal: AbortSignal,
): Promise<number> {
  const crds = kubeBindCrds() as unknown as KubeObject[];
  await installCrds(cluster.client, crds, {
    logger: logger.child({ cluster: cluster.name }),
    signal,
  });
  return crds.length;
}
