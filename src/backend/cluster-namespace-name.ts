import { createHash } from "node:crypto";

/** kube-bind's Helm chart and dev setup use this prefix (the backend flag's own default is `cluster-`). */
export const defaultNamespacePrefix = "kube-bind-";

/**
 * The provider namespace of a consumer identity, named as kube-bind's backend names it:
 * `<prefix><id>`, where `id` is the lower-case base-36 form of the big-endian unsigned integer made
 * of the first 8 bytes of SHA-224(identity) — typically 12 or 13 characters. Deterministic, so any
 * backend (bindops's or kube-bind's) finds the same namespace for the same consumer.
 */
export function clusterNamespaceName(
  identity: string,
  prefix: string = defaultNamespacePrefix,
): string {
  const digest = createHash("sha224").update(identity, "utf8").digest();
  return `${prefix}${digest.readBigUInt64BE(0).toString(36)}`;
}
