import type { ErrorObject } from "ajv";
import { bindopsKinds } from "./bindops-kinds.js";
import type { BuiltinKind } from "./builtin-kind.js";
import type { JsonSchema } from "./json-schema.js";
import {
  SchemaCompiler,
  type DocumentValidator,
  type KindValidator,
  type SchemaSource,
} from "./kind-validator.js";
import { kubeBindGroup, kubeBindKinds } from "./kube-bind-kinds.js";
import {
  kubernetesNameFormat,
  kubernetesNameFormats,
  loadKubernetesKind,
} from "./kubernetes-kinds.js";
import { objectMetaSchema } from "./object-meta-schema.js";
import type { StringFormat } from "./string-formats.js";

/*
 * The schemas bindops ships never change while it runs, so each is compiled at most once per
 * process, however many registries (one per validated revision, in the reconciler) use it.
 */

const compiler = new SchemaCompiler();
const key = (apiVersion: string, kind: string) => `${apiVersion} ${kind}`;

interface Builtin {
  /** Names its generated validator (`precompiledValidator`). */
  id: string;
  source: SchemaSource;
  schema: JsonSchema;
  validator?: KindValidator;
}

const builtins = new Map<string, Builtin>();
const versionsByGroupKind = new Map<string, string[]>();
const kindsByGroup = new Map<string, Set<string>>();

function register(source: SchemaSource, kind: BuiltinKind): void {
  const apiVersion = `${kind.group}/${kind.version}`;
  builtins.set(key(apiVersion, kind.kind), {
    id: `${apiVersion}/${kind.kind}`,
    source,
    schema: kind.schema,
  });
  const groupKind = `${kind.group} ${kind.kind}`;
  versionsByGroupKind.set(groupKind, [...(versionsByGroupKind.get(groupKind) ?? []), kind.version]);
  const kinds = kindsByGroup.get(kind.group) ?? new Set<string>();
  kindsByGroup.set(kind.group, kinds.add(kind.kind));
}
for (const kind of bindopsKinds) register("bindops", kind);
for (const kind of kubeBindKinds) {
  for (const [version, schema] of Object.entries(kind.schemas)) {
    register("kube-bind", { group: kubeBindGroup, version, kind: kind.kind, schema });
  }
}

/** The validator of one of bindops's or kube-bind's kinds, compiled on first use. */
export function builtinValidator(apiVersion: string, kind: string): KindValidator | undefined {
  const builtin = builtins.get(key(apiVersion, kind));
  if (builtin === undefined) return undefined;
  builtin.validator ??= compiler.compile(builtin.source, builtin.schema, builtin.id);
  return builtin.validator;
}

/** The versions bindops has a schema for, of a kind of its own or of kube-bind's. */
export function builtinVersions(group: string, kind: string): string[] | undefined {
  return versionsByGroupKind.get(`${group} ${kind}`);
}

/** The kinds bindops has schemas for in a group (`bindops.dev`, `kube-bind.io`). */
export function builtinKinds(group: string): string[] {
  return [...(kindsByGroup.get(group) ?? [])];
}

const kubernetes = new Map<string, KindValidator | null>();
const metadataChecks = new Map<string, KindValidator>();

/**
 * The validator of a Kubernetes built-in kind: kubernetes-models's published schema, plus the
 * metadata rules the API server enforces and that schema leaves open.
 */
export function kubernetesValidator(apiVersion: string, kind: string): KindValidator | undefined {
  const id = key(apiVersion, kind);
  const cached = kubernetes.get(id);
  if (cached !== undefined) return cached ?? undefined;
  const check = loadKubernetesKind(apiVersion, kind);
  if (check === undefined) {
    kubernetes.set(id, null);
    return undefined;
  }
  const format = kubernetesNameFormat(kind);
  // An object to be created (`kubectl create`) may have its name generated from generateName.
  const metadataOf = (value: unknown) => {
    const generateName = (value as { metadata?: { generateName?: unknown } } | null)?.metadata
      ?.generateName;
    return metadataCheck(format, typeof generateName === "string" && generateName !== "");
  };
  // `errorsOf` follows `validate` on the same value when it fails: checked once for both.
  let failed: { value: unknown; errors: ErrorObject[] } | undefined;
  const validate: DocumentValidator = (value) => {
    failed = undefined;
    const errors = check(value);
    if (errors.length > 0) {
      failed = { value, errors };
      validate.errors = errors;
      return false;
    }
    const metadata = metadataOf(value);
    const valid = metadata.validate(value);
    validate.errors = metadata.validate.errors ?? null;
    return valid;
  };
  const validator: KindValidator = {
    source: "kubernetes",
    validate,
    errorsOf: (value) => {
      const errors = failed !== undefined && failed.value === value ? failed.errors : check(value);
      failed = undefined;
      return [...errors, ...metadataOf(value).errorsOf(value)];
    },
  };
  kubernetes.set(id, validator);
  return validator;
}

/**
 * The metadata of a built-in kind whose names have this format; `generated` when the name may be
 * left to the API server (`generateName` is given).
 */
function metadataSchema(name: StringFormat, generated: boolean): JsonSchema {
  return {
    type: "object",
    properties: {
      metadata: objectMetaSchema({ fields: "kubernetes", name, requireName: !generated }),
    },
    required: ["metadata"],
  };
}

const metadataId = (name: StringFormat, generated: boolean) =>
  `metadata/${name}${generated ? "/generated" : ""}`;

function metadataCheck(name: StringFormat, generated: boolean): KindValidator {
  const id = metadataId(name, generated);
  let check = metadataChecks.get(id);
  if (check === undefined) {
    check = compiler.compile("kubernetes", metadataSchema(name, generated), id);
    metadataChecks.set(id, check);
  }
  return check;
}

/**
 * Every schema bindops ships, each with the id its generated validator is found by: what
 * `scripts/generate-validators.mjs` compiles at build time.
 */
export function shippedSchemas(): { id: string; schema: JsonSchema }[] {
  return [
    ...[...builtins.values()].map(({ id, schema }) => ({ id, schema })),
    ...kubernetesNameFormats.flatMap((name) =>
      [false, true].map((generated) => ({
        id: metadataId(name, generated),
        schema: metadataSchema(name, generated),
      })),
    ),
  ];
}
