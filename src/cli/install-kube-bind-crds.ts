import path from "node:path";
import type { DevCluster } from "../dev/dev-cluster.js";
import { connectCluster, type ConnectedCluster } from "../kube/connect-cluster.js";

export { installKubeBindCrds } from "../kube/install-kube-bind-crds.js";

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
