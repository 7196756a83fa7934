import type { Logger } from "pino";
import { kubeObjectOf } from "../core/kube-object.js";
import { kubeBindCrds } from "../schema/kube-bind-crds.js";
import type { ConnectedCluster } from "./connect-cluster.js";
import { installCrds } from "./install-crd.js";

/**
 * Installs bindops's CRDs for kube-bind's kinds into a cluster (idempotent: server-side apply),
 * so that templates, export requests and bindings can be created there. Returns how many.
 */
export async function installKubeBindCrds(
  cluster: ConnectedCluster,
  logger: Logger,
  signal: AbortSignal,
): Promise<number> {
  const crds = kubeBindCrds().flatMap((crd) => kubeObjectOf(crd) ?? []);
  await installCrds(cluster.client, crds, {
    logger: logger.child({ cluster: cluster.name }),
    signal,
  });
  return crds.length;
}
