import { bindopsGroup } from "../core/kube-groups.js";
import type { BuiltinKind } from "./builtin-kind.js";
import type { JsonSchema } from "./json-schema.js";
import { kubeBindDefinitions, permissionClaimProperties } from "./kube-bind-definitions.js";
import { objectMetaSchema } from "./object-meta-schema.js";
import { s } from "./schema-builders.js";
import { withDefinitions } from "./with-definitions.js";

export { bindopsGroup };
export const bindopsVersion = "v1alpha1";

const names = (description: string) => s.arrayOf(s.string({ minLength: 1 }), { description });

const definitions: Record<string, JsonSchema> = {
  ...kubeBindDefinitions,
  acceptedClaim: s.object(
    {
      ...permissionClaimProperties(),
      direction: s.enumOf(["Both", "ProviderToConsumer", "ConsumerToProvider"], {
        default: "Both",
        description: "Which way claimed objects may flow.",
      }),
    },
    {
      required: ["resource", "selector"],
      description:
        "A claim of the template the consumer accepts, as written there or narrower (kube-bind's PermissionClaim plus a direction).",
    },
  ),
};

function document(
  kind: string,
  description: string,
  spec: JsonSchema,
  status?: JsonSchema,
): BuiltinKind {
  return {
    group: bindopsGroup,
    version: bindopsVersion,
    kind,
    schema: withDefinitions(
      s.object(
        {
          apiVersion: { type: "string", const: `${bindopsGroup}/${bindopsVersion}` },
          kind: { type: "string", const: kind },
          metadata: objectMetaSchema({ fields: "bindops" }),
          spec,
          ...(status === undefined ? {} : { status }),
        },
        { required: ["apiVersion", "kind", "metadata", "spec"], description },
      ),
      definitions,
    ),
  };
}

const cluster = s.object(
  {
    role: s.enumOf(["provider", "consumer"]),
    kubeconfig: s.string({
      minLength: 1,
      description: "Path of a kubeconfig file. Credentials never live in the repository.",
    }),
    context: s.string({ minLength: 1, description: "Context of that kubeconfig to use." }),
  },
  { required: ["role"] },
);

const condition = s.object(
  {
    type: s.string({ minLength: 1 }),
    status: s.enumOf(["True", "False", "Unknown"]),
    reason: s.string(),
    message: s.string(),
    lastTransitionTime: s.string({ format: "date-time" }),
  },
  { required: ["type", "status"] },
);

const rule = s.object(
  {
    name: s.string({ minLength: 1, description: "Names the rule in findings and reviews." }),
    effect: s.enumOf(["deny", "require-approval", "allow"]),
    reason: s.name("notBlank", "Why, for the person whose claim the rule matches."),
    match: s.object(
      {
        groups: s.arrayOf({ type: "string" }, { description: 'API groups; "" is the core group.' }),
        resources: names("Resources, e.g. secrets."),
        selectors: s.arrayOf(s.enumOf(["Label", "Named", "Reference", "Empty", "MatchAll"])),
        scopes: s.arrayOf(s.enumOf(["Namespaced", "Cluster"])),
        directions: s.arrayOf(s.enumOf(["ProviderToConsumer", "ConsumerToProvider"])),
        providers: names("Provider cluster names."),
        consumers: names("Consumer cluster names."),
        templates: names("APIServiceExportTemplate names."),
      },
      { description: "All given fields must match; an absent field matches anything." },
    ),
  },
  { required: ["name", "effect", "reason"] },
);

/** bindops's own kinds, `bindops.dev/v1alpha1`: Repository, ServiceBinding, ClaimPolicy, BindingStatus. */
export const bindopsKinds: readonly BuiltinKind[] = [
  document(
    "Repository",
    "The repository's settings (bindops.yaml): clusters and their roles, paths, status commits.",
    s.object(
      {
        clusters: {
          ...s.mapOf(cluster, {
            keys: s.name("label"),
            description: "Cluster name (a DNS label) to its role and where its credentials are.",
          }),
          minProperties: 1,
        },
        paths: s.object({
          providers: s.string({ minLength: 1 }),
          consumers: s.string({ minLength: 1 }),
          policies: s.string({ minLength: 1 }),
          status: s.string({ minLength: 1 }),
        }),
        status: s.object({
          branch: s.string({ minLength: 1, description: "Branch status commits go to." }),
          author: s.name("gitAuthor", "Author of status commits."),
        }),
      },
      { required: ["clusters"] },
    ),
  ),
  document(
    "ServiceBinding",
    "A consumer cluster binds a provider's template and accepts these permission claims.",
    s.object(
      {
        consumer: s.name("label", "A cluster of role consumer."),
        provider: s.name("label", "A cluster of role provider."),
        template: s.name("subdomain", "An APIServiceExportTemplate of that provider."),
        isolation: s.enumOf(["Prefixed", "Namespaced", "None"]),
        namespaces: s.arrayOf(s.ref("namespace")),
        permissionClaims: s.arrayOf(s.ref("acceptedClaim")),
        suspend: s.boolean("Stop reconciling this binding, leaving what exists in place."),
      },
      { required: ["consumer", "provider", "template"] },
    ),
  ),
  document(
    "ClaimPolicy",
    "Ordered rules over permission claims; the first matching rule decides.",
    s.object(
      { rules: s.arrayOf(rule, { minItems: 1, listType: "map", mapKeys: ["name"] }) },
      { required: ["rules"] },
    ),
  ),
  document(
    "BindingStatus",
    "What the reconciler observed for one binding; written by bindops only.",
    s.object(
      {
        consumer: s.name("label", "The consumer cluster."),
        binding: s.name("subdomain", "The ServiceBinding."),
      },
      { required: ["consumer", "binding"] },
    ),
    s.object({
      observedRevision: s.string({ description: "The git revision last reconciled." }),
      phase: s.enumOf(["Pending", "Requested", "Bound", "Synced", "Failed", "Suspended"]),
      conditions: s.arrayOf(condition, { listType: "map", mapKeys: ["type"] }),
      exports: names("Names of the APIServiceExports."),
      syncedObjects: s.mapOf(s.integer({ minimum: 0 }), {
        description: "Objects synced, by resource.",
      }),
    }),
  ),
];
