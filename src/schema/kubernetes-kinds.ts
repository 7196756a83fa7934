import type { ErrorObject } from "ajv";
import { createRequire } from "node:module";
import { unknownFieldsCheck } from "./kubernetes-fields.js";
import type { StringFormat } from "./string-formats.js";
import { dropNulls } from "./prune-nulls.js";
import { windowedErrors } from "./windowed-errors.js";

/** Checks a document of a built-in kind; the errors, empty when it is valid. */
export type KubernetesKindCheck = (value: unknown) => ErrorObject[];

interface ModelClass {
  apiVersion?: unknown;
  kind?: unknown;
  prototype: { validate?: (this: unknown) => void };
}

const load = createRequire(import.meta.url);

const versionPattern = /^v\d+((alpha|beta)\d+)?$/;
const groupPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const kindPattern = /^[A-Z][A-Za-z0-9]*$/;

/** Groups Kubernetes itself serves: the core group, `apps`-style names, and `*.k8s.io`. */
export function isKubernetesGroup(group: string): boolean {
  return group === "" || !group.includes(".") || group.endsWith(".k8s.io");
}

/**
 * The format of `metadata.name` the API server enforces for a built-in kind: most kinds take a
 * DNS subdomain, but namespaces are labels, Services DNS-1035 labels, and RBAC objects anything
 * usable in a URL path (`system:aggregate-to-edit`).
 */
export function kubernetesNameFormat(kind: string): StringFormat {
  switch (kind) {
    case "Namespace":
      return "label";
    case "Service":
      return "dns1035Label";
    case "Role":
    case "ClusterRole":
    case "RoleBinding":
    case "ClusterRoleBinding":
      return "pathSegment";
    default:
      return "subdomain";
  }
}

/** Every format {@link kubernetesNameFormat} gives. */
export const kubernetesNameFormats: readonly StringFormat[] = [
  "subdomain",
  "label",
  "dns1035Label",
  "pathSegment",
];

/**
 * The published schema of a built-in kind, from `kubernetes-models`: its pre-compiled ajv
 * validator, loaded on first use (loading all of them costs hundreds of milliseconds; one costs a
 * few). `undefined` when the package has no such kind at that version. The package's schemas come
 * from Kubernetes's OpenAPI document, which does not close objects: unknown fields, at any depth,
 * are found from its declarations of each type's fields (`unknownFieldsCheck`).
 */
export function loadKubernetesKind(
  apiVersion: string,
  kind: string,
): KubernetesKindCheck | undefined {
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  if (!isKubernetesGroup(group) || !versionPattern.test(version) || !kindPattern.test(kind)) {
    return undefined;
  }
  if (group !== "" && !groupPattern.test(group)) return undefined;
  const specifier = `kubernetes-models/${group === "" ? "" : `${group}/`}${version}/${kind}`;
  let model: ModelClass | undefined;
  try {
    model = (load(specifier) as Record<string, ModelClass | undefined>)[kind];
  } catch {
    return undefined;
  }
  const validate = model?.prototype.validate;
  if (model?.apiVersion !== apiVersion || model.kind !== kind || validate === undefined) {
    return undefined;
  }
  const unknownFields = unknownFieldsCheck(apiVersion, kind) ?? (() => []);
  const modelErrors = (value: unknown): ErrorObject[] => {
    try {
      validate.call(value);
      return [];
    } catch (error) {
      const errors = (error as { errors?: unknown }).errors;
      if (Array.isArray(errors)) return errors as ErrorObject[];
      throw error;
    }
  };
  return (value) => {
    const unknown = unknownFields(value);
    let errors = windowedErrors(value, modelErrors);
    if (errors.length > 0) {
      // The API server reads a null field as its zero value: checked as absent.
      const withoutNulls = dropNulls(value);
      if (withoutNulls !== value) errors = windowedErrors(withoutNulls, modelErrors);
    }
    return errors.length === 0 ? unknown : [...unknown, ...errors];
  };
}
