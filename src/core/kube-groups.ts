/** API groups, versions and labels bindops reasons about: each spelled out once, here. */

/** bindops's own kinds: Repository, ServiceBinding, ClaimPolicy, BindingStatus. */
export const bindopsGroup = "bindops.dev";
/** The apiVersion of bindops's own kinds. */
export const bindopsApiVersion = `${bindopsGroup}/v1alpha1`;
/** kube-bind's kinds (APIServiceExportTemplate, APIServiceExportRequest, ...). */
export const kubeBindGroup = "kube-bind.io";
/** CustomResourceDefinitions. */
export const crdGroup = "apiextensions.k8s.io";
/** The label kube-bind's backend requires on a CRD a template exports (value `"true"`). */
export const exportedLabel = `${kubeBindGroup}/exported`;
