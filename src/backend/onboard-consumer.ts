import { setTimeout as sleep } from "node:timers/promises";
import { stringify } from "yaml";
import { BindopsError } from "../core/errors.js";
import type { KubeClient, KubeObject } from "../kube/kube-client.js";
import { getOrUndefined } from "../kube/not-found.js";
import { clusterNamespaceName, defaultNamespacePrefix } from "./cluster-namespace-name.js";
import { kubeBindApiVersion, kubeBindKeys } from "../core/kube-bind-objects.js";
import { planConsumerExportsRole } from "./plan-export-rbac.js";

/** The provider-side names kube-bind uses for a consumer (spec §1.2). */
export const binderName = "kube-binder";
export const kubeconfigSecretName = "kubeconfig";

export interface OnboardConsumerOptions {
  /** The consumer's identity: its `kube-system` namespace UID, as `kubectl bind` sends it. */
  identity: string;
  /** Recorded in `backend.kube-bind.io/author`. */
  author: string;
  /** The consumer cluster's name for people (`backend.kube-bind.io/cluster-pretty-name`). */
  prettyName: string;
  /** The provider's name for people (`ClusterBinding.spec.providerPrettyName`). Default `Backend`. */
  providerPrettyName?: string;
  /** Default `kube-bind-`. */
  namespacePrefix?: string;
  /** The API server address consumers reach; default the provider client's own server. */
  externalAddress?: string;
  /** PEM of the CA consumers should trust; default the `ca.crt` of the service-account token. */
  externalCa?: string;
  /** `tls-server-name` in the kubeconfig. */
  externalServerName?: string;
  /** How long to wait for the token controller to fill the token Secret. Default 30 s. */
  tokenTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface OnboardedConsumer {
  /** The cluster namespace on the provider. */
  namespace: string;
  /** The Secret in the cluster namespace holding the consumer's kubeconfig (key `kubeconfig`). */
  kubeconfigSecret: { namespace: string; name: string; key: "kubeconfig" };
}

/**
 * Onboards a consumer cluster on the provider, as kube-bind's backend does per bind (spec §5.2):
 * the cluster namespace (found by its identity annotation, else created as `<prefix><id>`), the
 * `ClusterBinding`, the `kube-binder` service account with its token Secret, ClusterRole and
 * RoleBinding, the consumer's own aggregated exports role, and Secret `kubeconfig`: a kubeconfig
 * whose context namespace is the cluster namespace and whose token is the service account's.
 * Idempotent. The token never leaves the provider cluster (it is not returned or logged).
 */
export async function onboardConsumer(
  client: KubeClient,
  options: OnboardConsumerOptions,
): Promise<OnboardedConsumer> {
  const call = options.signal ? { signal: options.signal } : {};
  const found = await findOnboarding(client, options);
  const namespace = found.namespace;
  const annotations = {
    [kubeBindKeys.identity]: options.identity,
    [kubeBindKeys.author]: options.author,
  };
  if (!found.exists) {
    await client.apply(
      { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace, annotations } },
      call,
    );
  }
  const secretName = found.kubeconfigSecret.name;
  if (!found.clusterBinding) {
    await client.apply(
      {
        apiVersion: kubeBindApiVersion,
        kind: "ClusterBinding",
        metadata: {
          name: "cluster",
          namespace,
          annotations: { ...annotations, [kubeBindKeys.clusterPrettyName]: options.prettyName },
        },
        spec: {
          kubeconfigSecretRef: { name: secretName, key: "kubeconfig" },
          providerPrettyName: options.providerPrettyName ?? "Backend",
        },
      },
      call,
    );
  }

  const namespaceObject = await client.get(
    { apiVersion: "v1", kind: "Namespace", name: namespace },
    call,
  );
  const objects: KubeObject[] = [
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: binderName, namespace },
    },
    binderClusterRole(),
    {
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/service-account-token",
      metadata: {
        name: binderName,
        namespace,
        annotations: { "kubernetes.io/service-account.name": binderName },
      },
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: binderName, namespace },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: binderName },
      subjects: [{ kind: "ServiceAccount", name: binderName, namespace }],
    },
    ...planConsumerExportsRole(namespaceObject),
  ];
  for (const object of objects) await client.apply(object, call);

  const token = await waitForToken(client, namespace, options);
  const kubeconfig = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "default",
        cluster: {
          server: options.externalAddress ?? client.server,
          "certificate-authority-data": Buffer.from(options.externalCa ?? token.ca).toString(
            "base64",
          ),
          ...(options.externalServerName ? { "tls-server-name": options.externalServerName } : {}),
        },
      },
    ],
    contexts: [{ name: "default", context: { cluster: "default", user: "default", namespace } }],
    "current-context": "default",
    users: [{ name: "default", user: { token: token.token } }],
  };
  await client.apply(
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: secretName, namespace },
      type: "Opaque",
      data: { kubeconfig: Buffer.from(stringify(kubeconfig)).toString("base64") },
    },
    call,
  );
  return { namespace, kubeconfigSecret: { namespace, name: secretName, key: "kubeconfig" } };
}

/** The ClusterRole kube-bind binds in each cluster namespace (spec §5.2 step 4). */
export function binderClusterRole(): KubeObject {
  const group = "kube-bind.io";
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: binderName },
    rules: [
      { apiGroups: [group], resources: ["apiserviceexportrequests"], verbs: ["*"] },
      { apiGroups: [""], resources: ["namespaces"], verbs: ["get"] },
      { apiGroups: [""], resources: ["secrets"], verbs: ["get", "watch", "list"] },
      { apiGroups: [group], resources: ["clusterbindings"], verbs: ["get", "watch", "list"] },
      {
        apiGroups: [group],
        resources: ["clusterbindings/status"],
        verbs: ["get", "patch", "update"],
      },
      { apiGroups: [group], resources: ["apiserviceexports"], verbs: ["get", "watch", "list"] },
      {
        apiGroups: [group],
        resources: ["apiserviceexports/status"],
        verbs: ["get", "patch", "update"],
      },
      { apiGroups: [group], resources: ["apiservicenamespaces"], verbs: ["*"] },
      { apiGroups: [group], resources: ["boundschemas"], verbs: ["get", "list", "watch"] },
      {
        apiGroups: [group],
        resources: ["boundschemas/status"],
        verbs: ["get", "list", "patch", "update"],
      },
    ],
  };
}

/** Where a consumer is onboarded on a provider, or would be: read without writing anything. */
export interface ConsumerOnboarding {
  /** The cluster namespace: the one carrying the identity, else the one onboarding creates. */
  namespace: string;
  /** The namespace exists: the consumer was onboarded before. */
  exists: boolean;
  /** Its `ClusterBinding` exists. */
  clusterBinding: boolean;
  /** The Secret in the cluster namespace holding the consumer's kubeconfig (key `kubeconfig`). */
  kubeconfigSecret: { namespace: string; name: string };
}

/**
 * Finds a consumer's cluster namespace on the provider by its identity annotation, and the
 * kubeconfig Secret its `ClusterBinding` names, without writing: what {@link onboardConsumer}
 * would use or create. Fails when several namespaces carry the identity, or when the name it
 * would create is taken by another identity.
 */
export async function findOnboarding(
  client: KubeClient,
  options: { identity: string; namespacePrefix?: string; signal?: AbortSignal },
): Promise<ConsumerOnboarding> {
  const call = options.signal ? { signal: options.signal } : {};
  const all = await client.list({ apiVersion: "v1", kind: "Namespace" }, call);
  const mine = all.items.filter(
    (n) => n.metadata.annotations?.[kubeBindKeys.identity] === options.identity,
  );
  if (mine.length > 1) {
    throw new BindopsError(
      "invalid",
      "backend-identity-ambiguous",
      `${mine.length} namespaces carry the consumer identity ${options.identity}: ` +
        mine.map((n) => n.metadata.name).join(", "),
      { hint: `remove the ${kubeBindKeys.identity} annotation from all but one of them` },
    );
  }
  if (!mine[0]) {
    const name = clusterNamespaceName(
      options.identity,
      options.namespacePrefix ?? defaultNamespacePrefix,
    );
    const taken = all.items.find((n) => n.metadata.name === name);
    if (taken) {
      throw new BindopsError(
        "invalid",
        "backend-namespace-taken",
        `namespace ${name} exists for another identity (${taken.metadata.annotations?.[kubeBindKeys.identity] ?? "none"})`,
      );
    }
    return {
      namespace: name,
      exists: false,
      clusterBinding: false,
      kubeconfigSecret: { namespace: name, name: kubeconfigSecretName },
    };
  }
  const namespace = mine[0].metadata.name;
  const binding = await getOrUndefined(
    client,
    { apiVersion: kubeBindApiVersion, kind: "ClusterBinding", namespace, name: "cluster" },
    call,
  );
  const secretName =
    (binding?.spec as { kubeconfigSecretRef?: { name?: string } } | undefined)?.kubeconfigSecretRef
      ?.name ?? kubeconfigSecretName;
  return {
    namespace,
    exists: true,
    clusterBinding: binding !== undefined,
    kubeconfigSecret: { namespace, name: secretName },
  };
}

/**
 * The identity `kubectl bind` gives a consumer cluster: the UID of its `kube-system` namespace
 * (the cluster's name when the server has none to give).
 */
export async function readConsumerIdentity(
  client: KubeClient,
  fallback: string,
  options: { signal?: AbortSignal } = {},
): Promise<string> {
  const kubeSystem = await client.get(
    { apiVersion: "v1", kind: "Namespace", name: "kube-system" },
    options,
  );
  return kubeSystem.metadata.uid ?? fallback;
}

async function waitForToken(
  client: KubeClient,
  namespace: string,
  options: OnboardConsumerOptions,
): Promise<{ token: string; ca: string }> {
  const deadline = Date.now() + (options.tokenTimeoutMs ?? 30_000);
  for (;;) {
    const secret = await client.get(
      { apiVersion: "v1", kind: "Secret", namespace, name: binderName },
      options.signal ? { signal: options.signal } : {},
    );
    const data = (secret.data as Record<string, string> | undefined) ?? {};
    if (data.token && data["ca.crt"]) {
      return {
        token: Buffer.from(data.token, "base64").toString("utf8"),
        ca: Buffer.from(data["ca.crt"], "base64").toString("utf8"),
      };
    }
    if (Date.now() >= deadline) {
      throw new BindopsError(
        "unreachable",
        "backend-token-timeout",
        `the token Secret ${namespace}/${binderName} was not filled in time`,
        {
          hint: "the provider's kube-controller-manager must run the serviceaccount-token controller",
        },
      );
    }
    await sleep(200, undefined, options.signal ? { signal: options.signal } : {});
  }
}
