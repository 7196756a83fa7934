/**
 * The kinds `validate` knows without a CRD: Kubernetes' common built-in kinds (the groups and
 * versions current clusters serve), kube-bind's kinds (spec §1, §3: v1alpha2 for all, v1alpha1
 * still served for five) and bindops's own. Keyed by `group` (core is `""`), then kind, to the
 * versions served.
 */
export const knownKinds: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>> = new Map(
  Object.entries({
    "": {
      v1: [
        "Binding",
        "ComponentStatus",
        "ConfigMap",
        "Endpoints",
        "Event",
        "LimitRange",
        "List",
        "Namespace",
        "Node",
        "PersistentVolume",
        "PersistentVolumeClaim",
        "Pod",
        "PodTemplate",
        "ReplicationController",
        "ResourceQuota",
        "Secret",
        "Service",
        "ServiceAccount",
      ],
    },
    apps: { v1: ["ControllerRevision", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"] },
    batch: { v1: ["CronJob", "Job"] },
    autoscaling: { v1: ["HorizontalPodAutoscaler"], v2: ["HorizontalPodAutoscaler"] },
    policy: { v1: ["PodDisruptionBudget"] },
    "rbac.authorization.k8s.io": {
      v1: ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
    },
    "apiextensions.k8s.io": { v1: ["CustomResourceDefinition"] },
    "apiregistration.k8s.io": { v1: ["APIService"] },
    "admissionregistration.k8s.io": {
      v1: [
        "MutatingWebhookConfiguration",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
      ],
    },
    "networking.k8s.io": { v1: ["Ingress", "IngressClass", "NetworkPolicy"] },
    "discovery.k8s.io": { v1: ["EndpointSlice"] },
    "storage.k8s.io": {
      v1: ["CSIDriver", "CSINode", "CSIStorageCapacity", "StorageClass", "VolumeAttachment"],
    },
    "scheduling.k8s.io": { v1: ["PriorityClass"] },
    "coordination.k8s.io": { v1: ["Lease"] },
    "node.k8s.io": { v1: ["RuntimeClass"] },
    "certificates.k8s.io": { v1: ["CertificateSigningRequest"] },
    "events.k8s.io": { v1: ["Event"] },
    "flowcontrol.apiserver.k8s.io": { v1: ["FlowSchema", "PriorityLevelConfiguration"] },
    "kube-bind.io": {
      v1alpha2: [
        "APIConversion",
        "APIServiceBinding",
        "APIServiceBindingBundle",
        "APIServiceExport",
        "APIServiceExportRequest",
        "APIServiceExportTemplate",
        "APIServiceNamespace",
        "BindableResourcesRequest",
        "BoundSchema",
        "Cluster",
        "ClusterBinding",
        "Collection",
      ],
      v1alpha1: [
        "APIServiceBinding",
        "APIServiceExport",
        "APIServiceExportRequest",
        "APIServiceNamespace",
        "ClusterBinding",
      ],
    },
    "bindops.dev": { v1alpha1: ["BindingStatus", "ClaimPolicy", "Repository", "ServiceBinding"] },
  }).map(([group, byVersion]) => {
    const kinds = new Map<string, string[]>();
    for (const [version, names] of Object.entries(byVersion)) {
      for (const kind of names) kinds.set(kind, [...(kinds.get(kind) ?? []), version]);
    }
    return [group, kinds] as const;
  }),
);
