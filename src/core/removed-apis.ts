/** An API version of a kind that Kubernetes stopped serving, and what replaces it. */
export interface RemovedApi {
  apiVersion: string;
  kind: string;
  /** The release that no longer serves it, `1.22`. */
  removedIn: string;
  /** The release that marked it deprecated, when it was served before removal. */
  deprecatedIn?: string;
  /** What to write instead: `networking.k8s.io/v1 Ingress`, or what replaces the kind. */
  replacement: string;
}

/** The newest Kubernetes release bindops knows: the default of `--kubernetes-version`. */
export const newestKubernetesVersion = "1.37";

const removed = (
  removedIn: string,
  deprecatedIn: string,
  apiVersions: readonly string[],
  kinds: readonly string[],
  replacement: (kind: string) => string,
): RemovedApi[] =>
  apiVersions.flatMap((apiVersion) =>
    kinds.map((kind) => ({
      apiVersion,
      kind,
      removedIn,
      deprecatedIn,
      replacement: replacement(kind),
    })),
  );

/**
 * Kubernetes' deprecated API migration guide (kubernetes.io/docs/reference/using-api/
 * deprecation-guide), release by release: the beta versions no longer served.
 */
export const removedApis: readonly RemovedApi[] = [
  // 1.16
  ...removed(
    "1.16",
    "1.9",
    ["extensions/v1beta1", "apps/v1beta1", "apps/v1beta2"],
    ["Deployment", "ReplicaSet"],
    (k) => `apps/v1 ${k}`,
  ),
  ...removed(
    "1.16",
    "1.9",
    ["extensions/v1beta1", "apps/v1beta2"],
    ["DaemonSet"],
    (k) => `apps/v1 ${k}`,
  ),
  ...removed(
    "1.16",
    "1.9",
    ["apps/v1beta1", "apps/v1beta2"],
    ["StatefulSet"],
    (k) => `apps/v1 ${k}`,
  ),
  ...removed(
    "1.16",
    "1.9",
    ["extensions/v1beta1"],
    ["NetworkPolicy"],
    (k) => `networking.k8s.io/v1 ${k}`,
  ),
  ...removed(
    "1.16",
    "1.10",
    ["extensions/v1beta1"],
    ["PodSecurityPolicy"],
    () => "Pod Security Admission (namespace labels pod-security.kubernetes.io/*)",
  ),
  // 1.22
  ...removed(
    "1.22",
    "1.16",
    ["admissionregistration.k8s.io/v1beta1"],
    ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"],
    (k) => `admissionregistration.k8s.io/v1 ${k}`,
  ),
  ...removed(
    "1.22",
    "1.16",
    ["apiextensions.k8s.io/v1beta1"],
    ["CustomResourceDefinition"],
    (k) => `apiextensions.k8s.io/v1 ${k} (a structural openAPIV3Schema per version)`,
  ),
  ...removed(
    "1.22",
    "1.19",
    ["apiregistration.k8s.io/v1beta1"],
    ["APIService"],
    (k) => `apiregistration.k8s.io/v1 ${k}`,
  ),
  ...removed(
    "1.22",
    "1.19",
    ["authentication.k8s.io/v1beta1"],
    ["TokenReview"],
    (k) => `authentication.k8s.io/v1 ${k}`,
  ),
  ...removed(
    "1.22",
    "1.19",
    ["authorization.k8s.io/v1beta1"],
    ["SubjectAccessReview", "LocalSubjectAccessReview", "SelfSubjectAccessReview"],
    (k) => `authorization.k8s.io/v1 ${k}`,
  ),
  ...removed(
    "1.22",
    "1.19",
    ["certificates.k8s.io/v1beta1"],
    ["CertificateSigningRequest"],
    (k) => `certificates.k8s.io/v1 ${k}`,
  ),
  ...removed(
    "1.22",
    "1.19",
    ["coordination.k8s.io/v1beta1"],
    ["Lease"],
    (k) => `coordination.k8s.io/v1 ${k}`,
  ),
  ...removed(
    "1.22",
    "1.14",
    ["extensions/v1beta1", "networking.k8s.io/v1beta1"],
    ["Ingress"],
    (k) => `networking.k8s.io/v1 ${k}`,
  ),
  ...removed(
    "1.22",
    "1.19",
    ["networking.k8s.io/v1beta1"],
    ["IngressClass"],
    (k) => `networking.k8s.io/v1 ${k}`,
  ),
  ...removed(
    "1.22",
    "1.17",
    ["rbac.authorization.k8s.io/v1beta1"],
    ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
    (k) => `rbac.authorization.k8s.io/v1 ${k}`,
  ),
  ...removed(
    "1.22",
    "1.14",
    ["scheduling.k8s.io/v1beta1"],
    ["PriorityClass"],
    (k) => `scheduling.k8s.io/v1 ${k}`,
  ),
  ...removed(
    "1.22",
    "1.19",
    ["storage.k8s.io/v1beta1"],
    ["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"],
    (k) => `storage.k8s.io/v1 ${k}`,
  ),
  // 1.25
  ...removed("1.25", "1.21", ["batch/v1beta1"], ["CronJob"], (k) => `batch/v1 ${k}`),
  ...removed(
    "1.25",
    "1.21",
    ["discovery.k8s.io/v1beta1"],
    ["EndpointSlice"],
    (k) => `discovery.k8s.io/v1 ${k}`,
  ),
  ...removed("1.25", "1.19", ["events.k8s.io/v1beta1"], ["Event"], (k) => `events.k8s.io/v1 ${k}`),
  ...removed(
    "1.25",
    "1.22",
    ["autoscaling/v2beta1"],
    ["HorizontalPodAutoscaler"],
    (k) => `autoscaling/v2 ${k}`,
  ),
  ...removed("1.25", "1.21", ["policy/v1beta1"], ["PodDisruptionBudget"], (k) => `policy/v1 ${k}`),
  ...removed(
    "1.25",
    "1.21",
    ["policy/v1beta1"],
    ["PodSecurityPolicy"],
    () => "Pod Security Admission (namespace labels pod-security.kubernetes.io/*)",
  ),
  ...removed(
    "1.25",
    "1.20",
    ["node.k8s.io/v1beta1"],
    ["RuntimeClass"],
    (k) => `node.k8s.io/v1 ${k}`,
  ),
  // 1.26
  ...removed(
    "1.26",
    "1.23",
    ["flowcontrol.apiserver.k8s.io/v1beta1"],
    ["FlowSchema", "PriorityLevelConfiguration"],
    (k) => `flowcontrol.apiserver.k8s.io/v1 ${k}`,
  ),
  ...removed(
    "1.26",
    "1.23",
    ["autoscaling/v2beta2"],
    ["HorizontalPodAutoscaler"],
    (k) => `autoscaling/v2 ${k}`,
  ),
  // 1.27
  ...removed(
    "1.27",
    "1.24",
    ["storage.k8s.io/v1beta1"],
    ["CSIStorageCapacity"],
    (k) => `storage.k8s.io/v1 ${k}`,
  ),
  // 1.29
  ...removed(
    "1.29",
    "1.26",
    ["flowcontrol.apiserver.k8s.io/v1beta2"],
    ["FlowSchema", "PriorityLevelConfiguration"],
    (k) => `flowcontrol.apiserver.k8s.io/v1 ${k}`,
  ),
  // 1.32
  ...removed(
    "1.32",
    "1.29",
    ["flowcontrol.apiserver.k8s.io/v1beta3"],
    ["FlowSchema", "PriorityLevelConfiguration"],
    (k) => `flowcontrol.apiserver.k8s.io/v1 ${k}`,
  ),
];

const byType = new Map(removedApis.map((api) => [`${api.apiVersion}\0${api.kind}`, api]));

/** The entry for an apiVersion and kind that Kubernetes removed, if it is one. */
export function removedApiOf(apiVersion: string, kind: string): RemovedApi | undefined {
  return byType.get(`${apiVersion}\0${kind}`);
}

/** Compares two `major.minor` releases: negative when `a` is older. */
export function compareReleases(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split(".").map(Number);
  const [bMajor = 0, bMinor = 0] = b.split(".").map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}
