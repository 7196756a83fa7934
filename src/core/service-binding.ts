import { bindopsApiVersion } from "./kube-groups.js";
import type { ManifestDocument } from "./manifest.js";
import { objectMetaOf, typeMetaOf } from "./manifest.js";
import { asArray, asRecord, asString, asStringArray } from "./lenient.js";

/** Which way claimed objects flow; kube-bind's default is `Both`. */
export type ClaimDirection = "Both" | "ProviderToConsumer" | "ConsumerToProvider";

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
  /**
   * Entries left out because they could not be read (a label value that is a list or a map, a
   * requirement without a key or operator): a selector that had them is not the one written.
   */
  unreadable?: number;
}

export interface NamedResource {
  /** Its position in `namedResources`, for pointers: entries without a name are left out. */
  index: number;
  name: string;
  namespace?: string;
}

export interface SelectorReference {
  /** Its position in `references`, for pointers: unreadable entries are left out. */
  index: number;
  group: string;
  resource: string;
  versions?: string[];
  jsonPath: { name: string; namespace?: string };
}

/** The three selector branches of a claim; kube-bind ORs them. */
export interface ClaimSelector {
  labelSelector?: LabelSelector;
  namedResources?: NamedResource[];
  references?: SelectorReference[];
}

/** A permission claim a binding accepts, as policies see it. */
export interface PermissionClaim {
  /** `""` for the core group. */
  group: string;
  resource: string;
  selector: ClaimSelector;
  direction: ClaimDirection;
}

/** The parts of a `ServiceBinding` that claim policies look at. */
export interface ServiceBinding {
  file: string;
  /** 0-based document index within `file`. */
  index: number;
  name: string;
  provider?: string;
  consumer?: string;
  template?: string;
  isolation?: string;
  /** Names from `spec.namespaces`. */
  namespaces: string[];
  claims: PermissionClaim[];
}

export const serviceBindingApiVersion = bindopsApiVersion;

/**
 * A typed view of a `bindops.dev/v1alpha1` `ServiceBinding` document, or `undefined` for any other
 * kind. Reading is lenient: fields of the wrong type are treated as absent, so that policies can be
 * evaluated on documents the schema check has already reported.
 */
export function serviceBindingOf(document: ManifestDocument): ServiceBinding | undefined {
  const type = typeMetaOf(document.value);
  if (type?.apiVersion !== serviceBindingApiVersion || type.kind !== "ServiceBinding") {
    return undefined;
  }
  const spec = asRecord(document.value.spec) ?? {};
  const namespaces = asArray(spec.namespaces)
    .map((entry) => asString(asRecord(entry)?.name))
    .filter((name): name is string => name !== undefined && name !== "");
  return {
    file: document.file,
    index: document.index,
    name: objectMetaOf(document.value).name ?? "",
    ...optionalString("provider", spec.provider),
    ...optionalString("consumer", spec.consumer),
    ...optionalString("template", spec.template),
    ...optionalString("isolation", spec.isolation),
    namespaces,
    // One entry per array element, whatever its shape, so claim indexes stay pointer indexes.
    claims: asArray(spec.permissionClaims).map(permissionClaimOf),
  };
}

/** A typed, lenient view of one `spec.permissionClaims[]` entry. */
export function permissionClaimOf(value: unknown): PermissionClaim {
  const claim = asRecord(value) ?? {};
  const direction = asString(claim.direction);
  return {
    group: asString(claim.group) ?? "",
    resource: asString(claim.resource) ?? "",
    selector: selectorOf(claim.selector),
    direction:
      direction === "ProviderToConsumer" || direction === "ConsumerToProvider" ? direction : "Both",
  };
}

function selectorOf(value: unknown): ClaimSelector {
  const selector = asRecord(value);
  if (selector === undefined) return {};
  const labelSelector = asRecord(selector.labelSelector);
  const namedResources = Array.isArray(selector.namedResources)
    ? selector.namedResources.flatMap((entry, i) => namedResourceOf(entry, i))
    : undefined;
  const references = Array.isArray(selector.references)
    ? selector.references.flatMap((entry, i) => referenceOf(entry, i))
    : undefined;
  return {
    ...(labelSelector === undefined ? {} : { labelSelector: labelSelectorOf(labelSelector) }),
    ...(namedResources === undefined ? {} : { namedResources }),
    ...(references === undefined ? {} : { references }),
  };
}

function labelSelectorOf(value: Record<string, unknown>): LabelSelector {
  let unreadable = 0;
  const labels = asRecord(value.matchLabels);
  const matchLabels =
    labels === undefined
      ? undefined
      : Object.fromEntries(
          // YAML reads `tier: 1` as a number; it is still a label entry that narrows the selector.
          Object.entries(labels).flatMap(([key, v]) => {
            if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") {
              return [[key, String(v)]];
            }
            unreadable++;
            return [];
          }),
        );
  const matchExpressions = Array.isArray(value.matchExpressions)
    ? value.matchExpressions.flatMap((entry): LabelSelectorRequirement[] => {
        const requirement = asRecord(entry);
        const key = asString(requirement?.key);
        const operator = asString(requirement?.operator);
        if (key === undefined || operator === undefined) {
          unreadable++;
          return [];
        }
        const values = asStringArray(requirement?.values);
        return [{ key, operator, ...(values === undefined ? {} : { values }) }];
      })
    : undefined;
  return {
    ...(matchLabels === undefined ? {} : { matchLabels }),
    ...(matchExpressions === undefined ? {} : { matchExpressions }),
    ...(unreadable === 0 ? {} : { unreadable }),
  };
}

function namedResourceOf(value: unknown, index: number): NamedResource[] {
  const entry = asRecord(value);
  const name = asString(entry?.name);
  if (name === undefined) return [];
  const namespace = asString(entry?.namespace);
  return [{ index, name, ...(namespace === undefined || namespace === "" ? {} : { namespace }) }];
}

function referenceOf(value: unknown, index: number): SelectorReference[] {
  const entry = asRecord(value);
  const jsonPath = asRecord(entry?.jsonPath);
  const resource = asString(entry?.resource);
  const name = asString(jsonPath?.name);
  if (entry === undefined || resource === undefined || name === undefined) return [];
  const namespace = asString(jsonPath?.namespace);
  const versions = asStringArray(entry.versions);
  return [
    {
      index,
      group: asString(entry.group) ?? "",
      resource,
      ...(versions === undefined ? {} : { versions }),
      jsonPath: { name, ...(namespace === undefined ? {} : { namespace }) },
    },
  ];
}

function optionalString<K extends string>(key: K, value: unknown): { [P in K]?: string } {
  return typeof value === "string" ? ({ [key]: value } as { [P in K]?: string }) : {};
}
