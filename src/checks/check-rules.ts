import type { Severity } from "../core/finding.js";

/** A semantic rule of `validate`, as SARIF output and documentation list it. */
export interface CheckRule {
  /** Stable kebab-case id, the `rule` of its findings. */
  readonly id: string;
  readonly severity: Severity;
  /** One sentence: what the rule checks. */
  readonly description: string;
  /** How to fix a finding of this rule. */
  readonly help: string;
}

/**
 * Every rule the semantic checks report, with its severity. Severities follow the kube-bind
 * validation checklist: what would make kube-bind fail, ignore or mis-sync something is an error;
 * what is legal but probably not meant is a warning.
 */
export const checkRules = [
  // Cross-references.
  {
    id: "repository-missing",
    severity: "warning",
    description:
      "ServiceBindings were validated without a bindops.yaml (kind Repository), so their cluster names were not checked.",
    help: "Validate the whole repository, or add bindops.yaml at its root naming the clusters and their roles.",
  },
  {
    id: "binding-unknown-cluster",
    severity: "error",
    description:
      "A ServiceBinding names a provider or consumer cluster that bindops.yaml does not list.",
    help: "Fix the cluster name, or add the cluster to spec.clusters in bindops.yaml.",
  },
  {
    id: "binding-wrong-role",
    severity: "error",
    description:
      "A ServiceBinding's provider is not a cluster of role provider, or its consumer not one of role consumer.",
    help: "Swap the names, or fix the cluster's role in bindops.yaml.",
  },
  {
    id: "binding-unknown-template",
    severity: "error",
    description:
      "A ServiceBinding's template is not an APIServiceExportTemplate of its provider (under providers/<provider>/).",
    help: "Fix spec.template or spec.provider, or commit the template under the provider's folder.",
  },
  {
    id: "template-missing-crd",
    severity: "error",
    description:
      "A resource a template (or request) exports has no CustomResourceDefinition <resource>.<group> in the repository.",
    help: "Commit the CRD under providers/<provider>/crds/; without it kube-bind reports SchemaNotFound.",
  },
  {
    id: "crd-not-exported",
    severity: "error",
    description:
      'A CRD a template exports lacks the label kube-bind.io/exported: "true"; kube-bind only finds schemas by that label.',
    help: 'Add the label kube-bind.io/exported: "true" to the CRD\'s metadata.labels.',
  },
  {
    id: "template-version-not-served",
    severity: "error",
    description: "A version a template asks for is not a served version of the resource's CRD.",
    help: "List only versions the CRD serves (spec.versions[].served: true).",
  },
  {
    id: "template-mixed-scopes",
    severity: "error",
    description:
      "The CRDs of one template do not all have the same scope; kube-bind refuses such a request (DifferentScopes).",
    help: "Split the template so that each one exports only Namespaced or only Cluster-scoped resources.",
  },
  {
    id: "template-scope-mismatch",
    severity: "warning",
    description:
      "A template's spec.scope differs from the scope of the CRDs it exports. kube-bind does not read spec.scope, but users do.",
    help: "Set spec.scope to the scope of the exported CRDs.",
  },
  {
    id: "template-resource-missing-versions",
    severity: "error",
    description:
      "A template (or request) resource has no versions; kube-bind creates no BoundSchema for it and the request stays Pending forever.",
    help: "List the versions to export, e.g. versions: [v1alpha1].",
  },
  {
    id: "template-duplicate-resource",
    severity: "error",
    description:
      "A template (or request) lists the same group and resource twice; their BoundSchema names collide.",
    help: "Merge the entries into one with all the versions.",
  },
  {
    id: "crd-name-mismatch",
    severity: "error",
    description:
      "A CRD's metadata.name is not <spec.names.plural>.<spec.group>; the API server refuses it and templates cannot find it.",
    help: "Name the CRD <plural>.<group>.",
  },
  {
    id: "collection-unknown-template",
    severity: "warning",
    description: "A Collection lists a template that is not in the repository.",
    help: "Fix the name or commit the template; kube-bind does not check it either.",
  },
  // Permission claims.
  {
    id: "claim-not-claimable",
    severity: "error",
    description:
      'A permission claim is for a resource kube-bind cannot claim; only ("", configmaps), ("", secrets) and ("", serviceaccounts) are claimable.',
    help: 'Claim one of configmaps, secrets or serviceaccounts in the core group (group: "").',
  },
  {
    id: "claim-duplicate",
    severity: "error",
    description:
      "Two permission claims share a group and resource; kube-bind fails the request (DuplicatePermissionClaim).",
    help: "Merge them into one claim: the branches of a selector are OR'ed.",
  },
  {
    id: "claim-empty-selector",
    severity: "warning",
    description:
      "A permission claim's selector has no labelSelector, namedResources or references, so it selects nothing.",
    help: "Add a branch to the selector, or remove the claim.",
  },
  {
    id: "claim-invalid-label-selector",
    severity: "error",
    description:
      "A claim's labelSelector cannot be converted: unknown operator, values given for Exists/DoesNotExist or missing for In/NotIn, or an invalid key or value.",
    help: "Use In/NotIn with values, or Exists/DoesNotExist without, and valid label keys and values.",
  },
  {
    id: "claim-reference-not-exported",
    severity: "error",
    description:
      "A claim reference names a resource the template does not export; kube-bind ignores such a reference unless the isolation is None.",
    help: "Reference one of the template's resources.",
  },
  {
    id: "claim-reference-missing-name",
    severity: "error",
    description: "A claim reference has no jsonPath.name, so it can match nothing.",
    help: "Set jsonPath.name to the gjson path of the referenced object's name, e.g. spec.secretRef.name.",
  },
  {
    id: "claim-reference-version-unknown",
    severity: "error",
    description:
      "A claim reference's versions do not resolve: none are given (here or on the template's resource) or the CRD does not serve them.",
    help: "Give versions the referencing CRD serves, on the reference or on the template resource.",
  },
  {
    id: "claim-reference-path-unknown",
    severity: "error",
    description:
      "A claim reference's gjson path does not lead to a name field in the referencing CRD's schema, so it never matches.",
    help: "Fix the path: fields separated by '.', '#' for every element of a list, ending at a string.",
  },
  {
    id: "claim-reference-any-namespace",
    severity: "warning",
    description:
      "A claim reference has no jsonPath.namespace and the isolation is not Namespaced, so it matches objects of that name in any namespace.",
    help: "Set jsonPath.namespace (e.g. metadata.namespace), or use isolation Namespaced.",
  },
  {
    id: "binding-claim-not-in-template",
    severity: "error",
    description:
      "A ServiceBinding accepts a claim for a group and resource its template does not ask for.",
    help: "Remove the claim; a binding can only accept (possibly narrowed) claims of its template.",
  },
  {
    id: "binding-claim-wider",
    severity: "error",
    description: "A ServiceBinding's accepted claim selects more than the template's claim.",
    help: "Narrow the binding's selector to what the template's selector covers.",
  },
  // Names.
  {
    id: "binding-invalid-isolation",
    severity: "error",
    description: "A ServiceBinding's isolation is not one of Prefixed, Namespaced or None.",
    help: "Use Prefixed (kube-bind's default), Namespaced or None.",
  },
  {
    id: "name-invalid",
    severity: "error",
    description:
      "A name kube-bind turns into object names is not valid: templates, requests and bindings need DNS-1123 subdomains, namespaces DNS labels.",
    help: "Use lower-case letters, digits and '-' ('.' too for subdomains), starting and ending with a letter or digit.",
  },
  {
    id: "namespace-duplicate",
    severity: "error",
    description:
      "A binding, template or request lists the same namespace twice in spec.namespaces; both entries name one APIServiceNamespace.",
    help: "Remove the second entry.",
  },
  {
    id: "name-too-long",
    severity: "warning",
    description:
      "A namespace name gets the consumer's cluster namespace as a prefix on the provider and may then exceed 63 characters.",
    help: "Shorten the namespace name.",
  },
  // Identities.
  {
    id: "duplicate-object",
    severity: "error",
    description:
      "Two documents define the same object (group, kind, namespace and name) for the same cluster.",
    help: "Remove or rename one of them; the second would overwrite the first.",
  },
  {
    id: "duplicate-object-elsewhere",
    severity: "warning",
    description:
      "Two files outside bindops's cluster folders define the same object differently; they collide only if both are applied to one cluster.",
    help: "Fine for separate clusters, overlays or examples; otherwise remove or rename one.",
  },
  // Kinds.
  {
    id: "missing-type-meta",
    severity: "error",
    description: "A document has no apiVersion or kind.",
    help: "Add apiVersion and kind.",
  },
  // YAML.
  {
    id: "yaml11-ambiguous",
    severity: "warning",
    description:
      "A plain scalar reads differently in YAML 1.2 (bindops) and YAML 1.1 (kubectl and other tools): yes/no/on/off/y/n, 0755, 1:20.",
    help: 'Quote the scalar ("yes", "0755") or write the value YAML 1.2 and 1.1 agree on (true, 493).',
  },
  {
    id: "yaml11-wrong-type",
    severity: "error",
    description:
      "A plain scalar that kubectl (YAML 1.1) reads as a boolean or a number where the field must be a string (or vice versa), so kubectl refuses the manifest, though YAML 1.2 reads it as valid: `debug: no` in a ConfigMap's data.",
    help: 'Quote the scalar ("no", "on") so every YAML reader takes it as a string.',
  },
  // Kubernetes API versions.
  {
    id: "removed-api",
    severity: "error",
    description:
      "The apiVersion of this kind is no longer served by the Kubernetes release validated for (--kubernetes-version).",
    help: "Move to the replacement the message names (Kubernetes' deprecated API migration guide says what changed).",
  },
  {
    id: "deprecated-api",
    severity: "warning",
    description:
      "The apiVersion of this kind is deprecated in the Kubernetes release validated for, and will be removed.",
    help: "Move to the replacement the message names before upgrading to the release that removes it.",
  },
  // What the API server checks in built-in kinds beyond their schemas.
  {
    id: "duplicate-container-name",
    severity: "error",
    description:
      "Two containers of one pod (init and ephemeral containers included) share a name; the API server refuses the pod or its template.",
    help: "Give each container its own name.",
  },
  {
    id: "invalid-port",
    severity: "error",
    description:
      'A port the API server refuses: a container port name that is not an IANA service name ("8080", "https-metrics-port"), a name used twice, a number out of range, a probe or targetPort naming no valid port, a Service with several ports not all named, or a port and protocol listed twice.',
    help: "Name ports with at most 15 lower-case letters, digits and '-', including a letter; give numbers unquoted.",
  },
  {
    id: "selector-mismatch",
    severity: "error",
    description:
      "A Deployment's, StatefulSet's, DaemonSet's or ReplicaSet's spec.selector does not select the labels of its pod template; the API server refuses it.",
    help: "Make spec.template.metadata.labels carry every label the selector requires.",
  },
  {
    id: "volume-mismatch",
    severity: "error",
    description:
      "Two volumes of a pod share a name, or a container mounts a volume the pod does not declare.",
    help: "Declare each volume once under spec.volumes, and mount only declared ones.",
  },
  {
    id: "restart-policy",
    severity: "error",
    description:
      "A pod template's restartPolicy its controller refuses: Deployments, StatefulSets, DaemonSets and ReplicaSets allow only Always; Jobs and CronJobs only OnFailure or Never, and need it given.",
    help: "Set restartPolicy to a value the controller allows.",
  },
  {
    id: "invalid-resources",
    severity: "error",
    description:
      "A container's resource quantity is not a Kubernetes quantity (512MB), or a request is greater than its limit.",
    help: "Write quantities like 500m, 128Mi or 1G, and keep each request at or below its limit.",
  },
  // Credentials.
  {
    id: "credential-in-repo",
    severity: "error",
    description: "A token, password, private key or client key is committed to the repository.",
    help: "Remove it (and rotate it); bindops reads cluster credentials from --kubeconfig-dir or BINDOPS_KUBECONFIG_<NAME>, never from the repository.",
  },
  {
    id: "plain-secret",
    severity: "warning",
    description: "A Secret with data is committed in plain text (base64 is not encryption).",
    help: "Use sealed-secrets or external-secrets, or create the Secret outside git.",
  },
] as const satisfies readonly CheckRule[];

/** The id of a rule in {@link checkRules}. */
export type CheckRuleId = (typeof checkRules)[number]["id"];

const severities = new Map<string, Severity>(checkRules.map((rule) => [rule.id, rule.severity]));

/** The severity {@link checkRules} gives a rule. */
export function severityOf(rule: CheckRuleId): Severity {
  return severities.get(rule) ?? "error";
}
