import { canonicalJson } from "../core/canonical-json.js";
import { consentAnnotation, type Consent } from "../core/kube-bind-objects.js";
import type { KubeObject } from "../core/kube-object.js";
import type { ModelBinding, RepositoryModel } from "./repository-model.js";

/** Labels and annotations that tie what bindops applies to its binding and source revision. */
export const bindopsKeys = {
  managedBy: "bindops.dev/managed-by",
  binding: "bindops.dev/binding",
  revision: "bindops.dev/revision",
  isolation: "bindops.dev/isolation",
} as const;

/** The consumer namespace of kubeconfig Secrets and the konnector, as `kubectl bind` uses it. */
export const consumerNamespace = "kube-bind";

/** The consumer Secret that holds a provider's kubeconfig for this consumer. */
export function kubeconfigSecretName(provider: string): string {
  return `kubeconfig-${provider}`;
}

/**
 * Annotations every apply moves to the revision applied: bookkeeping, not a difference between
 * git and a cluster.
 */
export const bookkeepingAnnotations: readonly string[] = [bindopsKeys.revision];

/** The consumer namespace `kube-bind`, as bindops applies it before the Secret and bindings. */
export const consumerNamespaceObject: KubeObject = {
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name: consumerNamespace },
};

/** An object from git as bindops applies it: labelled as bindops's, annotated with the revision. */
export function managedObject(object: KubeObject, revision: string): KubeObject {
  return {
    ...object,
    metadata: {
      ...object.metadata,
      labels: { ...object.metadata.labels, [bindopsKeys.managedBy]: "bindops" },
      annotations: { ...object.metadata.annotations, [bindopsKeys.revision]: revision },
    },
  };
}

/** What a provider cluster gets from its folder: the CRDs as they are, the templates managed. */
export function desiredProviderObjects(
  model: RepositoryModel,
  revision: string,
): Map<string, { crds: KubeObject[]; templates: KubeObject[] }> {
  return new Map(
    [...model.providers].map(([provider, content]) => [
      provider,
      {
        crds: content.crds,
        templates: [...content.templates.values()].map((t) => managedObject(t, revision)),
      },
    ]),
  );
}

/**
 * The consumer Secret a binding reads its provider kubeconfig from (spec §5.5), labelled as
 * `kubectl bind` labels it. `kubeconfig` is the base64 data copied from the provider's Secret at
 * apply time, never through git; without it, the Secret's identity and labels only.
 */
export function kubeconfigSecretObject(
  desired: Pick<DesiredBinding, "kubeconfigSecret">,
  kubeconfig?: string,
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    ...(kubeconfig === undefined ? {} : { type: "Opaque" }),
    metadata: {
      name: desired.kubeconfigSecret.name,
      namespace: desired.kubeconfigSecret.namespace,
      labels: { "kube-bind.io/provider-kubeconfig": "true", [bindopsKeys.managedBy]: "bindops" },
    },
    ...(kubeconfig === undefined ? {} : { data: { kubeconfig } }),
  };
}

/** What one binding asks of both clusters. */
export interface DesiredBinding {
  binding: ModelBinding;
  /** `<consumer>/<binding>`: the key of its status file and its labels. */
  key: string;
  /** The APIServiceExportRequest on the provider, in the consumer's cluster namespace. */
  request: KubeObject;
  /** The APIServiceBinding on the consumer, named like the request (kube-bind requires it). */
  apiServiceBinding: KubeObject;
  /** The consumer Secret the binding reads its provider kubeconfig from. */
  kubeconfigSecret: { namespace: string; name: string };
}

/** Why a binding cannot be planned (its template is gone from the provider's folder, ...). */
export interface UnplannedBinding {
  binding: ModelBinding;
  key: string;
  reason: string;
}

/**
 * The objects each binding needs (DESIGN "plan"; spec §5.1, §5.5): on the provider an
 * `APIServiceExportRequest` built from the template — its resources, namespaces (the binding's,
 * else the template's) and schema update policy — carrying exactly the claims the binding
 * accepts (kube-bind's wire shape); on the consumer the `APIServiceBinding` of the same name
 * pointing at the provider's kubeconfig Secret in `kube-bind`. Pure: the cluster namespace comes
 * from onboarding, per (provider, consumer).
 */
export function desiredBindings(
  model: RepositoryModel,
  clusterNamespaceOf: (provider: string, consumer: string) => string,
  revision: string,
): { planned: DesiredBinding[]; unplanned: UnplannedBinding[] } {
  const planned: DesiredBinding[] = [];
  const unplanned: UnplannedBinding[] = [];
  for (const binding of model.bindings) {
    const key = `${binding.consumer}/${binding.name}`;
    const template = model.providers.get(binding.provider)?.templates.get(binding.template);
    if (!template) {
      unplanned.push({
        binding,
        key,
        reason: `provider ${binding.provider} has no template ${binding.template}`,
      });
      continue;
    }
    const spec = (template.spec ?? {}) as {
      resources?: unknown;
      namespaces?: { name: string }[];
      schemaUpdatePolicy?: string;
    };
    const labels = { [bindopsKeys.managedBy]: "bindops", [bindopsKeys.binding]: bindingLabel(key) };
    const namespaces =
      binding.namespaces.length > 0
        ? binding.namespaces.map((name) => ({ name }))
        : (spec.namespaces ?? []);
    const request: KubeObject = {
      apiVersion: "kube-bind.io/v1alpha2",
      kind: "APIServiceExportRequest",
      metadata: {
        name: binding.name,
        namespace: clusterNamespaceOf(binding.provider, binding.consumer),
        labels,
        annotations: {
          [bindopsKeys.revision]: revision,
          ...(binding.isolation ? { [bindopsKeys.isolation]: binding.isolation } : {}),
        },
      },
      spec: {
        resources: spec.resources,
        ...(binding.rawClaims.length > 0
          ? { permissionClaims: binding.rawClaims.map(wireClaim) }
          : {}),
        ...(namespaces.length > 0 ? { namespaces } : {}),
        schemaUpdatePolicy: spec.schemaUpdatePolicy ?? "Never",
      },
    };
    const secret = { namespace: consumerNamespace, name: kubeconfigSecretName(binding.provider) };
    planned.push({
      binding,
      key,
      request,
      kubeconfigSecret: secret,
      apiServiceBinding: {
        apiVersion: "kube-bind.io/v1alpha2",
        kind: "APIServiceBinding",
        metadata: {
          name: binding.name,
          labels,
          annotations: {
            [bindopsKeys.revision]: revision,
            [consentAnnotation]: JSON.stringify(consentOf(binding)),
          },
        },
        spec: { kubeconfigSecretRef: { ...secret, key: "kubeconfig" } },
      },
    });
  }
  return { planned, unplanned };
}

/**
 * What the binding consents to beyond kube-bind's wire claims, for the konnector to enforce: each
 * claim's direction and the namespaces claimed objects may come from.
 */
function consentOf(binding: ModelBinding): Consent {
  return {
    ...(binding.namespaces.length > 0 ? { namespaces: binding.namespaces } : {}),
    claims: binding.claims.map(({ group, resource, direction }) => ({
      group,
      resource,
      direction,
    })),
  };
}

/** A label value for `<consumer>/<binding>` (labels allow no `/`). */
export function bindingLabel(key: string): string {
  return key.replace("/", ".");
}

/** kube-bind's PermissionClaim: group, resource and selector; bindops's own fields stay in git. */
function wireClaim(claim: Record<string, unknown>): Record<string, unknown> {
  return {
    group: typeof claim.group === "string" ? claim.group : "",
    resource: claim.resource,
    selector: claim.selector ?? {},
  };
}

/**
 * Whether a live request must be replaced to match the desired one: kube-bind makes a request's
 * spec immutable, so a changed binding means a new request (and a new export).
 */
export function requestSpecDiffers(live: KubeObject, desired: KubeObject): boolean {
  return canonicalJson(stripDefaults(live.spec)) !== canonicalJson(stripDefaults(desired.spec));
}

/**
 * Whether a live APIServiceBinding must be replaced to match the desired one: its spec is
 * immutable, so one pointing at another kubeconfig Secret is deleted and made again.
 */
export function apiServiceBindingDiffers(live: KubeObject, desired: KubeObject): boolean {
  const ref = (o: KubeObject) =>
    (o.spec as { kubeconfigSecretRef?: unknown } | undefined)?.kubeconfigSecretRef;
  return canonicalJson(ref(live)) !== canonicalJson(ref(desired));
}

function stripDefaults(spec: unknown): unknown {
  const s = { ...((spec ?? {}) as Record<string, unknown>) };
  // The server defaults these; the desired spec may leave them out.
  if (Array.isArray(s.permissionClaims) && s.permissionClaims.length === 0)
    delete s.permissionClaims;
  if (Array.isArray(s.namespaces) && s.namespaces.length === 0) delete s.namespaces;
  return s;
}
