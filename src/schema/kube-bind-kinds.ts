import { kubeBindGroup } from "../core/kube-groups.js";
import type { JsonSchema } from "./json-schema.js";
import { kubeBindDefinitions } from "./kube-bind-definitions.js";
import { objectMetaSchema } from "./object-meta-schema.js";
import { s } from "./schema-builders.js";
import { withDefinitions } from "./with-definitions.js";

/** An additional printer column of a CRD version (what `kubectl get` shows). */
export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  jsonPath: string;
  description?: string;
  priority?: number;
}

/** One kube-bind kind: its JSON Schemas and the facts its CRD needs (spec §1, §3). */
export interface KubeBindKind {
  kind: string;
  plural: string;
  singular: string;
  scope: "Namespaced" | "Cluster";
  shortNames: readonly string[];
  categories: readonly string[];
  description: string;
  printerColumns: readonly PrinterColumn[];
  /** `v1alpha2` is the storage version; `v1alpha1` is the legacy version, validated only. */
  schemas: { v1alpha2: JsonSchema; v1alpha1?: JsonSchema };
}

export { kubeBindGroup };

const age: PrinterColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" };
const ready: PrinterColumn = {
  name: "Ready",
  type: "string",
  jsonPath: '.status.conditions[?(@.type=="Ready")].status',
};
const bindingColumns: readonly PrinterColumn[] = [
  { name: "Provider", type: "string", jsonPath: ".status.providerPrettyName" },
  {
    name: "Resources",
    type: "string",
    jsonPath: ".metadata.annotations.kube-bind\\.io/resources",
    priority: 1,
  },
  ready,
  { name: "Message", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].message' },
  age,
];

const scope = (description: string) => s.enumOf(["Namespaced", "Cluster"], { description });
const informerScope = () =>
  s.enumOf(["Cluster", "Namespaced"], {
    description:
      "Cluster: the konnector watches the provider cluster-wide. Namespaced: one informer per mapped namespace.",
  });
const isolation = (description: string) =>
  s.enumOf(["Prefixed", "Namespaced", "None"], { description });
const schemaUpdatePolicy = () =>
  s.enumOf(["Never", "Always"], {
    default: "Never",
    description: "Never: BoundSchemas stay as created. Always: they follow the source CRDs.",
  });
const conditionsOnly = () => s.object({ conditions: s.ref("conditions") });
const resources = (description: string) =>
  s.arrayOf(s.ref("exportResource"), { minItems: 1, description });
const claims = (description: string) => s.arrayOf(s.ref("permissionClaim"), { description });
const namespaces = (description: string) => s.arrayOf(s.ref("namespace"), { description });

/** A whole kube-bind document: type meta, Kubernetes metadata, spec and status. */
function document(
  kind: string,
  version: "v1alpha1" | "v1alpha2",
  parts: {
    description: string;
    spec: JsonSchema;
    status: JsonSchema;
    requireSpec: boolean;
    metadata?: JsonSchema;
  },
): JsonSchema {
  return withDefinitions(
    s.object(
      {
        apiVersion: { type: "string", const: `${kubeBindGroup}/${version}` },
        kind: { type: "string", const: kind },
        metadata: parts.metadata ?? objectMetaSchema({ fields: "kubernetes" }),
        spec: parts.spec,
        status: parts.status,
      },
      {
        required: ["apiVersion", "kind", "metadata", ...(parts.requireSpec ? ["spec"] : [])],
        description: parts.description,
      },
    ),
    kubeBindDefinitions,
  );
}

const requestStatus = (): JsonSchema =>
  s.object(
    {
      phase: s.enumOf(["Pending", "Failed", "Succeeded"], {
        default: "Pending",
        description: "Pending until the export exists (Succeeded) or it cannot be made (Failed).",
      }),
      terminalMessage: s.string({ description: "Why the request Failed." }),
      conditions: s.ref("conditions"),
    },
    { default: {} },
  );

const printerColumn = s.object(
  {
    name: s.string({ minLength: 1 }),
    type: s.string({ minLength: 1 }),
    jsonPath: s.string({ minLength: 1 }),
    format: s.string(),
    description: s.string(),
    priority: s.integer({ format: "int32" }),
  },
  { required: ["name", "type", "jsonPath"] },
);

const crdVersion = (schema: JsonSchema): JsonSchema =>
  s.object(
    {
      name: { ...s.name("kubeVersion"), minLength: 1 },
      served: { type: "boolean", default: true },
      storage: s.boolean(),
      deprecated: s.boolean(),
      deprecationWarning: s.string(),
      schema,
      subresources: s.object({
        status: s.object({}),
        scale: s.object(
          {
            specReplicasPath: s.string(),
            statusReplicasPath: s.string(),
            labelSelectorPath: s.string(),
          },
          { required: ["specReplicasPath", "statusReplicasPath"] },
        ),
      }),
      additionalPrinterColumns: s.arrayOf(printerColumn, { listType: "map", mapKeys: ["name"] }),
    },
    { required: ["name", "served", "storage", "schema"] },
  );

const conversion = {
  ...s.object({
    strategy: s.enumOf(["None", "Webhook"]),
    webhook: s.object({
      clientConfig: s.object({
        url: s.string({ format: "uri" }),
        caBundle: s.string({ format: "byte" }),
      }),
      conversionReviewVersions: s.arrayOf({ type: "string" }, { listType: "atomic" }),
    }),
  }),
  if: {
    properties: { strategy: { type: "string", const: "Webhook" } },
    required: ["strategy"],
  },
  then: { required: ["webhook"] },
} satisfies JsonSchema;

const legacySecretKeyRef = (withNamespace: boolean): JsonSchema =>
  s.object(
    {
      name: s.string({ minLength: 1 }),
      ...(withNamespace ? { namespace: s.string({ minLength: 1 }) } : {}),
      key: s.enumOf(["kubeconfig"]),
    },
    { required: withNamespace ? ["name", "namespace", "key"] : ["name", "key"] },
  );

const apiServiceNamespace = (version: "v1alpha1" | "v1alpha2"): JsonSchema =>
  document("APIServiceNamespace", version, {
    description:
      "Maps a consumer namespace (the object's name) to a provider namespace (status.namespace).",
    spec: s.object({}, { description: "No fields." }),
    status: s.object({
      namespace: s.string({ description: "The provider namespace the backend assigned." }),
    }),
    requireSpec: false,
  });

/**
 * kube-bind's kinds in group `kube-bind.io`, authored from kube-bind's API (spec §3). Every fixed
 * shape refuses unknown fields: the API server would prune them, silently losing what was written.
 */
export const kubeBindKinds: readonly KubeBindKind[] = [
  {
    kind: "APIServiceExportTemplate",
    plural: "apiserviceexporttemplates",
    singular: "apiserviceexporttemplate",
    scope: "Cluster",
    shortNames: [],
    categories: ["kube-bind"],
    description: "A catalog entry a consumer binds: CRDs to export and the claims they need.",
    printerColumns: [
      { name: "Resources", type: "string", jsonPath: ".spec.resources[*].group" },
      { name: "PermissionClaims", type: "string", jsonPath: ".spec.permissionClaims[*].resource" },
      age,
    ],
    schemas: {
      v1alpha2: document("APIServiceExportTemplate", "v1alpha2", {
        description: "A catalog entry a consumer binds: CRDs to export and the claims they need.",
        spec: s.object(
          {
            description: s.string({ description: "Shown to consumers in the UI and CLI." }),
            scope: scope("Scope of the template's resources."),
            resources: resources("The CRDs this template exports."),
            permissionClaims: claims("Objects of other resources the provider needs access to."),
            namespaces: namespaces("Namespaces the provider creates for each consumer."),
            schemaUpdatePolicy: schemaUpdatePolicy(),
          },
          { required: ["scope", "resources"] },
        ),
        status: conditionsOnly(),
        requireSpec: true,
      }),
    },
  },
  {
    kind: "Collection",
    plural: "collections",
    singular: "collection",
    scope: "Cluster",
    shortNames: [],
    categories: ["kube-bind"],
    description: "A group of templates, for the UI and CLI.",
    printerColumns: [
      { name: "Description", type: "string", jsonPath: ".spec.description" },
      { name: "Templates", type: "string", jsonPath: ".spec.templates[*].name" },
      age,
    ],
    schemas: {
      v1alpha2: document("Collection", "v1alpha2", {
        description: "A group of templates, for the UI and CLI.",
        spec: s.object(
          {
            description: s.string(),
            templates: s.arrayOf(
              s.object(
                { name: s.name("subdomain", "An APIServiceExportTemplate.") },
                {
                  required: ["name"],
                },
              ),
              { minItems: 1 },
            ),
          },
          { required: ["templates"] },
        ),
        status: conditionsOnly(),
        requireSpec: true,
      }),
    },
  },
  {
    kind: "APIServiceExportRequest",
    plural: "apiserviceexportrequests",
    singular: "apiserviceexportrequest",
    scope: "Namespaced",
    shortNames: [],
    categories: ["kube-bindings"],
    description: "A consumer's request to bind resources; the backend answers with an export.",
    printerColumns: [ready, age],
    schemas: {
      v1alpha2: document("APIServiceExportRequest", "v1alpha2", {
        description: "A consumer's request to bind resources; the backend answers with an export.",
        spec: s.object(
          {
            parameters: s.freeObject("Provider-specific parameters; not interpreted."),
            resources: resources("The CRDs to bind."),
            permissionClaims: claims("The claims the consumer grants."),
            namespaces: namespaces("Namespaces the provider creates for the consumer."),
            schemaUpdatePolicy: schemaUpdatePolicy(),
          },
          { required: ["resources"], description: "Immutable once created." },
        ),
        status: requestStatus(),
        requireSpec: true,
      }),
      v1alpha1: document("APIServiceExportRequest", "v1alpha1", {
        description: "Legacy version: resources only, no claims or namespaces.",
        spec: s.object(
          {
            parameters: s.freeObject("Provider-specific parameters; not interpreted."),
            resources: resources("The CRDs to bind."),
          },
          { required: ["resources"] },
        ),
        status: requestStatus(),
        requireSpec: true,
      }),
    },
  },
  {
    kind: "APIServiceExport",
    plural: "apiserviceexports",
    singular: "apiserviceexport",
    scope: "Namespaced",
    shortNames: [],
    categories: ["kube-bindings"],
    description: "The active contract between a provider and one consumer.",
    printerColumns: [
      {
        name: "Established",
        type: "string",
        jsonPath: '.status.conditions[?(@.type=="Established")].status',
        priority: 5,
      },
      age,
    ],
    schemas: {
      v1alpha2: document("APIServiceExport", "v1alpha2", {
        description: "The active contract between a provider and one consumer.",
        spec: s.object(
          {
            resources: resources("The exported CRDs, copied from the request."),
            permissionClaims: claims("The granted claims, copied from the request."),
            informerScope: informerScope(),
            isolation: isolation(
              "How consumer objects are placed on the provider (affects cluster-scoped resources).",
            ),
            clusterScopedIsolation: isolation("Deprecated alias of isolation."),
          },
          { required: ["resources", "informerScope", "isolation"] },
        ),
        status: conditionsOnly(),
        requireSpec: true,
      }),
      v1alpha1: document("APIServiceExport", "v1alpha1", {
        description: "Legacy version: embeds one CRD's spec.",
        spec: s.object(
          {
            group: s.string({ minLength: 1 }),
            names: s.ref("names"),
            scope: scope("Scope of the exported resource."),
            versions: s.arrayOf(
              crdVersion(
                s.object(
                  { openAPIV3Schema: s.freeObject("The version's OpenAPI v3 schema.") },
                  { required: ["openAPIV3Schema"] },
                ),
              ),
              { minItems: 1, listType: "map", mapKeys: ["name"] },
            ),
            informerScope: informerScope(),
            clusterScopedIsolation: isolation("Isolation of cluster-scoped resources."),
          },
          { required: ["group", "names", "scope", "versions", "informerScope"] },
        ),
        status: s.object({
          acceptedNames: s.ref("names"),
          storedVersions: s.arrayOf({ type: "string" }),
          conditions: s.ref("conditions"),
        }),
        requireSpec: true,
      }),
    },
  },
  {
    kind: "APIServiceNamespace",
    plural: "apiservicenamespaces",
    singular: "apiservicenamespace",
    scope: "Namespaced",
    shortNames: [],
    categories: ["kube-bindings"],
    description: "Maps a consumer namespace to a provider namespace.",
    printerColumns: [{ name: "Namespace", type: "string", jsonPath: ".status.namespace" }, age],
    schemas: {
      v1alpha2: apiServiceNamespace("v1alpha2"),
      v1alpha1: apiServiceNamespace("v1alpha1"),
    },
  },
  {
    kind: "BoundSchema",
    plural: "boundschemas",
    singular: "boundschema",
    scope: "Namespaced",
    shortNames: ["bs"],
    categories: ["kube-bindings"],
    description: "A consumer's copy of one exported CRD's schema; named <plural>.<group>.",
    printerColumns: [age],
    schemas: {
      v1alpha2: document("BoundSchema", "v1alpha2", {
        description: "A consumer's copy of one exported CRD's schema; named <plural>.<group>.",
        spec: s.object(
          {
            informerScope: informerScope(),
            group: s.name("subdomain", "API group of the resource."),
            names: s.ref("names"),
            scope: scope("Scope of the consumer-side CRD."),
            versions: s.arrayOf(
              crdVersion(
                s.freeObject(
                  "The version's schema: {openAPIV3Schema: ...} as copied from the CRD.",
                ),
              ),
              { minItems: 1, listType: "map", mapKeys: ["name"] },
            ),
            conversion,
          },
          { required: ["informerScope", "group", "names", "scope", "versions"] },
        ),
        status: s.object({
          acceptedNames: s.ref("names"),
          storedVersions: s.arrayOf({ type: "string" }),
          conditions: s.ref("conditions"),
          instantiations: s.integer({ minimum: 0 }),
        }),
        requireSpec: true,
      }),
    },
  },
  {
    kind: "ClusterBinding",
    plural: "clusterbindings",
    singular: "clusterbinding",
    scope: "Namespaced",
    shortNames: [],
    categories: ["kube-bindings"],
    description: "The bound consumer cluster, one per cluster namespace; always named cluster.",
    printerColumns: [
      { name: "Konnector Version", type: "string", jsonPath: ".status.konnectorVersion" },
      { name: "Last Heartbeat", type: "date", jsonPath: ".status.lastHeartbeatTime" },
      ready,
      age,
    ],
    schemas: {
      v1alpha2: clusterBinding("v1alpha2"),
      v1alpha1: clusterBinding("v1alpha1"),
    },
  },
  {
    kind: "APIServiceBinding",
    plural: "apiservicebindings",
    singular: "apiservicebinding",
    scope: "Cluster",
    shortNames: ["sb"],
    categories: ["kube-bindings"],
    description: "Binds one APIServiceExport (of the same name) into the consumer cluster.",
    printerColumns: bindingColumns,
    schemas: {
      v1alpha2: document("APIServiceBinding", "v1alpha2", {
        description: "Binds one APIServiceExport (of the same name) into the consumer cluster.",
        spec: s.object(
          { kubeconfigSecretRef: s.ref("clusterSecretKeyRef") },
          { required: ["kubeconfigSecretRef"] },
        ),
        status: s.object({
          providerPrettyName: s.string(),
          boundSchemas: s.arrayOf(s.ref("groupResource"), { minItems: 1 }),
          permissionClaims: claims("The claims the konnector acts on, copied from the export."),
          conditions: s.ref("conditions"),
        }),
        requireSpec: false,
      }),
      v1alpha1: document("APIServiceBinding", "v1alpha1", {
        description: "Legacy version: no bound schemas or claims in status.",
        spec: s.object(
          { kubeconfigSecretRef: legacySecretKeyRef(true) },
          { required: ["kubeconfigSecretRef"] },
        ),
        status: s.object({ providerPrettyName: s.string(), conditions: s.ref("conditions") }),
        requireSpec: false,
      }),
    },
  },
  {
    kind: "APIServiceBindingBundle",
    plural: "apiservicebindingbundles",
    singular: "apiservicebindingbundle",
    scope: "Cluster",
    shortNames: ["sbb"],
    categories: ["kube-bindings"],
    description: "Binds every APIServiceExport of the provider namespace its kubeconfig names.",
    printerColumns: bindingColumns,
    schemas: {
      v1alpha2: document("APIServiceBindingBundle", "v1alpha2", {
        description: "Binds every APIServiceExport of the provider namespace its kubeconfig names.",
        spec: s.object(
          { kubeconfigSecretRef: s.ref("clusterSecretKeyRef") },
          { required: ["kubeconfigSecretRef"] },
        ),
        status: conditionsOnly(),
        requireSpec: true,
      }),
    },
  },
  {
    kind: "BindableResourcesRequest",
    plural: "bindableresourcesrequests",
    singular: "bindableresourcesrequest",
    scope: "Namespaced",
    shortNames: [],
    categories: ["kube-bindings"],
    description:
      "Asks a backend run without its web frontend to onboard a consumer cluster: the answer is a Secret holding the consumer's kubeconfig.",
    printerColumns: [
      { name: "Template", type: "string", jsonPath: ".spec.templateRef.name" },
      { name: "Phase", type: "string", jsonPath: ".status.phase" },
      age,
    ],
    schemas: {
      v1alpha2: document("BindableResourcesRequest", "v1alpha2", {
        description:
          "Asks a backend run without its web frontend to onboard a consumer cluster: the answer is a Secret holding the consumer's kubeconfig.",
        spec: s.object(
          {
            templateRef: s.object(
              { name: s.string({ description: "The APIServiceExportTemplate to bind." }) },
              { required: ["name"] },
            ),
            clusterIdentity: s.object({
              identity: s.string({
                description: "The consumer's identity: the UID of its kube-system namespace.",
              }),
              prettyName: s.string({
                description: "The consumer's name for people; default: the request's name.",
              }),
            }),
            author: s.string({ description: "Who asked, for audit." }),
            kubeconfigSecretRef: s.ref("localSecretKeyRef"),
            ttlAfterFinished: s.string({
              description: "Delete the request this long after it finished (1h, 30m, 300s).",
            }),
          },
          { required: ["author", "clusterIdentity"] },
        ),
        status: s.object(
          {
            phase: s.enumOf(["Pending", "Failed", "Succeeded"], { default: "Pending" }),
            namespace: s.string({ description: "The cluster namespace assigned." }),
            kubeconfigSecretRef: s.ref("localSecretKeyRef"),
            completionTime: s.string({ format: "date-time" }),
            // metav1.Condition here, not kube-bind's own condition type.
            conditions: s.arrayOf(
              s.object(
                {
                  type: { type: "string", maxLength: 316 },
                  status: s.enumOf(["True", "False", "Unknown"]),
                  observedGeneration: s.integer({ format: "int64", minimum: 0 }),
                  lastTransitionTime: s.string({ format: "date-time" }),
                  reason: { type: "string", minLength: 1, maxLength: 1024 },
                  message: { type: "string", maxLength: 32768 },
                },
                { required: ["lastTransitionTime", "message", "reason", "status", "type"] },
              ),
            ),
          },
          { default: {} },
        ),
        requireSpec: true,
      }),
    },
  },
  {
    kind: "Cluster",
    plural: "clusters",
    singular: "cluster",
    scope: "Cluster",
    shortNames: [],
    categories: ["kube-bind"],
    description: "The provider cluster's own settings object, named default.",
    printerColumns: [ready],
    schemas: {
      v1alpha2: document("Cluster", "v1alpha2", {
        description: "The provider cluster's own settings object, named default.",
        spec: s.object({}, { description: "No fields." }),
        status: conditionsOnly(),
        requireSpec: false,
      }),
    },
  },
];

function clusterBinding(version: "v1alpha1" | "v1alpha2"): JsonSchema {
  const metadata = objectMetaSchema({ fields: "kubernetes" });
  return document("ClusterBinding", version, {
    description: "The bound consumer cluster, one per cluster namespace; always named cluster.",
    metadata: {
      ...metadata,
      properties: { ...metadata.properties, name: { type: "string", const: "cluster" } },
    },
    spec: s.object(
      {
        kubeconfigSecretRef:
          version === "v1alpha2" ? s.ref("localSecretKeyRef") : legacySecretKeyRef(false),
        providerPrettyName: s.string({ minLength: 1 }),
        serviceProviderSpec: s.freeObject("Provider-specific; not interpreted."),
      },
      { required: ["kubeconfigSecretRef", "providerPrettyName"] },
    ),
    status: s.object({
      lastHeartbeatTime: s.string({ format: "date-time" }),
      heartbeatInterval: s.string({ description: "A Go duration, e.g. 5m0s." }),
      konnectorVersion: s.string(),
      ...(version === "v1alpha2" ? { consumerSecretRef: s.ref("localSecretRef") } : {}),
      conditions: s.ref("conditions"),
    }),
    requireSpec: true,
  });
}
