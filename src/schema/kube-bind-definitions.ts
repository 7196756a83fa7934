import type { JsonSchema } from "./json-schema.js";
import { s } from "./schema-builders.js";

const group = (): JsonSchema => ({
  ...s.name("group", 'API group of the resource; "" (the default) is the core group.'),
  default: "",
});
const resource = (): JsonSchema =>
  s.name("resource", "Resource name: the lower-case plural, e.g. secrets or cowboys.");
const versions = (description: string): JsonSchema =>
  s.arrayOf(s.string({ minLength: 1 }), { description });

/**
 * The fields of a kube-bind PermissionClaim (GroupResource plus a required selector), so that
 * bindops's ServiceBinding can accept claims of the same shape with fields of its own.
 */
export function permissionClaimProperties(): Record<string, JsonSchema> {
  return {
    group: group(),
    resource: resource(),
    selector: s.ref("selector"),
  };
}

/**
 * The sub-schemas kube-bind's kinds share (spec §3.14, §2), referenced as `#/definitions/<name>`.
 * Written from kube-bind's API facts; where kube-bind's Go code validates more than its CRDs do
 * (label selector operators, a reference's `jsonPath.name`), these schemas check it as well.
 */
export const kubeBindDefinitions: Record<string, JsonSchema> = {
  groupResource: s.object({ group: group(), resource: resource() }, { required: ["resource"] }),

  exportResource: s.object(
    {
      group: group(),
      resource: resource(),
      versions: versions(
        "Versions to export. Give them: the backend creates no BoundSchema for a resource without versions.",
      ),
    },
    { required: ["resource"], description: "A CRD to export, by group and resource." },
  ),

  namespace: s.object(
    { name: s.name("label", "Name of the namespace.") },
    { required: ["name"], description: "A namespace the provider creates for the consumer." },
  ),

  labelSelectorRequirement: {
    ...s.object(
      {
        key: s.name("qualifiedName", "The label key the requirement applies to."),
        operator: s.enumOf(["In", "NotIn", "Exists", "DoesNotExist"], {
          description: "How the key relates to the values.",
        }),
        values: s.arrayOf(
          { type: "string" },
          {
            listType: "atomic",
            description: "Non-empty for In and NotIn, empty for Exists and DoesNotExist.",
          },
        ),
      },
      { required: ["key", "operator"] },
    ),
    if: {
      properties: { operator: { type: "string", enum: ["In", "NotIn"] } },
      required: ["operator"],
    },
    then: { properties: { values: { type: "array", minItems: 1 } }, required: ["values"] },
    else: {
      if: {
        properties: { operator: { type: "string", enum: ["Exists", "DoesNotExist"] } },
        required: ["operator"],
      },
      then: { properties: { values: { type: "array", maxItems: 0 } } },
    },
  },

  labelSelector: {
    ...s.object(
      {
        matchLabels: s.mapOf(s.name("labelValue"), {
          keys: s.name("qualifiedName"),
          description: "Labels an object must carry, all of them.",
        }),
        matchExpressions: s.arrayOf(s.ref("labelSelectorRequirement"), {
          listType: "atomic",
          description: "Requirements an object's labels must meet, all of them.",
        }),
      },
      {
        description:
          "A standard Kubernetes label selector. {} selects every object of the resource.",
      },
    ),
    "x-kubernetes-map-type": "atomic",
  },

  namedResource: s.object(
    {
      name: s.string({ minLength: 1, description: "metadata.name of the object." }),
      namespace: s.string({
        description: "metadata.namespace of the object; empty matches any namespace.",
      }),
    },
    { required: ["name"], description: "One object, by name." },
  ),

  jsonPath: s.object(
    {
      name: s.string({
        minLength: 1,
        description: "gjson path to the referenced name(s), e.g. spec.secretRefs.#.name.",
      }),
      namespace: s.string({ description: "gjson path to the referenced namespace(s)." }),
    },
    {
      required: ["name"],
      description: "Where the referencing object names the claimed objects (gjson syntax).",
    },
  ),

  selectorReference: s.object(
    {
      group: group(),
      resource: resource(),
      versions: versions("Versions of the referencing resource to read; default: the export's."),
      jsonPath: s.ref("jsonPath"),
    },
    {
      required: ["resource", "jsonPath"],
      description: "Claims the objects that objects of an exported resource refer to.",
    },
  ),

  selector: s.object(
    {
      labelSelector: s.ref("labelSelector"),
      namedResources: s.arrayOf(s.ref("namedResource")),
      references: s.arrayOf(s.ref("selectorReference")),
    },
    {
      description:
        "Which objects a claim covers. The branches are ORed; an empty selector selects nothing.",
    },
  ),

  permissionClaim: s.object(permissionClaimProperties(), {
    required: ["resource", "selector"],
    description: "Access to objects of a resource that is not exported (Secrets, ConfigMaps, ...).",
  }),

  condition: s.object(
    {
      type: s.string({ minLength: 1, description: "CamelCase condition type, e.g. Ready." }),
      status: s.enumOf(["True", "False", "Unknown"]),
      severity: s.enumOf(["Error", "Warning", "Info", ""], {
        description: "Set only when status is False.",
      }),
      lastTransitionTime: s.string({ format: "date-time" }),
      reason: s.string(),
      message: s.string(),
    },
    { required: ["type", "status", "lastTransitionTime"] },
  ),

  conditions: s.arrayOf(s.ref("condition"), { description: "Observations of the object's state." }),

  names: s.object(
    {
      plural: s.string({ minLength: 1 }),
      singular: s.string(),
      kind: s.string({ minLength: 1 }),
      listKind: s.string(),
      shortNames: s.arrayOf({ type: "string" }, { listType: "atomic" }),
      categories: s.arrayOf({ type: "string" }, { listType: "atomic" }),
    },
    { required: ["plural", "kind"], description: "The names of a custom resource." },
  ),

  localSecretKeyRef: s.object(
    { name: s.string({ minLength: 1 }), key: s.string() },
    { required: ["name", "key"], description: "A key of a Secret in the same namespace." },
  ),

  clusterSecretKeyRef: s.object(
    {
      name: s.string({ minLength: 1 }),
      namespace: s.string({ minLength: 1 }),
      key: s.string(),
    },
    { required: ["name", "namespace", "key"], description: "A key of a Secret." },
  ),

  localSecretRef: s.object(
    { name: s.string({ minLength: 1 }), namespace: s.string({ minLength: 1 }) },
    { required: ["name", "namespace"], description: "A Secret." },
  ),
};
