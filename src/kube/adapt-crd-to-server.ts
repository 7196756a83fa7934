import { joinPointer } from "../core/finding.js";
import { formatMinor, versionAtLeast, type ServerVersion } from "./server-version.js";

/** A CRD field that some servers predate, and the first minor of Kubernetes 1.x that serves it. */
interface Feature {
  key: string;
  since: number;
  where: "schema" | "rule" | "version";
}

/**
 * Each field is dropped for servers older than `since`. Where a field exists earlier behind an
 * alpha feature gate that is off by default, `since` is the release that turned it on: such a
 * server would silently drop the field anyway, and an older one refuses the whole CRD with "field
 * not declared in schema" (measured on 1.20 for `x-kubernetes-validations` and `selectableFields`).
 * Everything else controller-gen emits (`x-kubernetes-list-type`, `-list-map-keys`, `-map-type`,
 * `-int-or-string`, `-embedded-resource`, `deprecated`, `deprecationWarning`) is served by 1.20.
 */
const features: readonly Feature[] = [
  { key: "x-kubernetes-validations", since: 25, where: "schema" },
  { key: "messageExpression", since: 27, where: "rule" },
  { key: "reason", since: 28, where: "rule" },
  { key: "fieldPath", since: 28, where: "rule" },
  { key: "optionalOldSelf", since: 30, where: "rule" },
  { key: "selectableFields", since: 31, where: "version" },
];

/** Schema keywords whose values are schemas (or maps/lists of them), as opposed to data. */
const schemaMaps = ["properties", "patternProperties", "definitions", "dependencies"] as const;
const schemaLists = ["allOf", "anyOf", "oneOf"] as const;
const schemaOrList = ["items"] as const;
const schemaOrBool = ["additionalProperties", "additionalItems", "not"] as const;

export interface CrdAdaptation<T> {
  /** The CRD to send; the very same object when nothing had to go. */
  crd: T;
  /** JSON pointers (into the original CRD) of every field that was removed. */
  dropped: string[];
  /**
   * What was removed, for a person: "3 x-kubernetes-validations rules and selectableFields".
   * Undefined when nothing was.
   */
  summary: string | undefined;
  /** The server version the CRD was adapted to, e.g. `v1.20`. */
  server: string;
}

type Json = Record<string, unknown>;

/**
 * Removes from a CustomResourceDefinition the schema fields a server predates, so that it can be
 * installed there: CEL validation rules before 1.25 (and their newer parts, `messageExpression`,
 * `reason`, `fieldPath`, `optionalOldSelf`, until the releases that added them), and
 * `versions[].selectableFields` before 1.31. The input is never modified. Validation against the
 * full schema is not affected: this only shapes what is sent to an older server.
 */
export function adaptCrdToServer<T extends object>(
  crd: T,
  serverVersion: ServerVersion,
): CrdAdaptation<T> {
  const missing = features.filter((f) => !supports(serverVersion, f));
  const server = formatMinor(serverVersion);
  if (missing.length === 0) return { crd, dropped: [], summary: undefined, server };

  const walk = new Walk(missing);
  const adapted = walk.crd(crd as Json);
  return {
    crd: adapted as T,
    dropped: walk.dropped,
    summary: summarize(walk),
    server,
  };
}

function supports(version: ServerVersion, feature: Feature): boolean {
  return versionAtLeast(version, 1, feature.since);
}

class Walk {
  readonly dropped: string[] = [];
  /** Rules removed with their `x-kubernetes-validations`, and rule fields removed one by one. */
  rules = 0;
  readonly ruleFields = new Map<string, number>();
  selectableFields = 0;
  private readonly schemaKeys: Set<string>;
  private readonly ruleKeys: string[];
  private readonly versionKeys: string[];

  constructor(missing: readonly Feature[]) {
    this.schemaKeys = new Set(missing.filter((f) => f.where === "schema").map((f) => f.key));
    this.ruleKeys = missing.filter((f) => f.where === "rule").map((f) => f.key);
    this.versionKeys = missing.filter((f) => f.where === "version").map((f) => f.key);
  }

  crd(crd: Json): Json {
    const spec = crd.spec;
    if (!isObject(spec)) return crd;
    let next = spec;
    const versions = spec.versions;
    if (Array.isArray(versions)) {
      const mapped = versions.map((v: unknown, i) =>
        isObject(v) ? this.version(v, ["spec", "versions", i]) : v,
      );
      if (mapped.some((v, i) => v !== versions[i])) next = { ...next, versions: mapped };
    }
    // apiextensions.k8s.io/v1beta1 keeps a single schema at spec.validation.
    const validation = spec.validation;
    if (isObject(validation) && isObject(validation.openAPIV3Schema)) {
      const schema = this.schema(validation.openAPIV3Schema, [
        "spec",
        "validation",
        "openAPIV3Schema",
      ]);
      if (schema !== validation.openAPIV3Schema) {
        next = { ...next, validation: { ...validation, openAPIV3Schema: schema } };
      }
    }
    return next === spec ? crd : { ...crd, spec: next };
  }

  private version(version: Json, at: (string | number)[]): Json {
    let next = version;
    for (const key of this.versionKeys) {
      if (key in next) {
        this.dropped.push(joinPointer(...at, key));
        if (key === "selectableFields") this.selectableFields++;
        next = without(next, key);
      }
    }
    const schema = version.schema;
    if (isObject(schema) && isObject(schema.openAPIV3Schema)) {
      const adapted = this.schema(schema.openAPIV3Schema, [...at, "schema", "openAPIV3Schema"]);
      if (adapted !== schema.openAPIV3Schema) {
        next = { ...next, schema: { ...schema, openAPIV3Schema: adapted } };
      }
    }
    return next;
  }

  private schema(schema: Json, at: (string | number)[]): Json {
    let next = schema;
    const set = (key: string, value: unknown): void => {
      if (value !== schema[key]) next = { ...next, [key]: value };
    };

    const rules = schema["x-kubernetes-validations"];
    if (rules !== undefined) {
      if (this.schemaKeys.has("x-kubernetes-validations")) {
        this.dropped.push(joinPointer(...at, "x-kubernetes-validations"));
        this.rules += Array.isArray(rules) ? rules.length : 1;
        next = without(next, "x-kubernetes-validations");
      } else if (Array.isArray(rules)) {
        set(
          "x-kubernetes-validations",
          this.mapList(rules, (rule, i) =>
            isObject(rule) ? this.rule(rule, [...at, "x-kubernetes-validations", i]) : rule,
          ),
        );
      }
    }

    for (const key of schemaMaps) {
      const map = schema[key];
      if (!isObject(map)) continue;
      let changed = false;
      const mapped: Json = {};
      for (const [name, child] of Object.entries(map)) {
        // `dependencies` values may be lists of property names rather than schemas.
        const value = isObject(child) ? this.schema(child, [...at, key, name]) : child;
        changed ||= value !== child;
        mapped[name] = value;
      }
      if (changed) set(key, mapped);
    }
    for (const key of [...schemaLists, ...schemaOrList]) {
      const value = schema[key];
      if (Array.isArray(value)) {
        set(
          key,
          this.mapList(value, (child, i) =>
            isObject(child) ? this.schema(child, [...at, key, i]) : child,
          ),
        );
      } else if (isObject(value)) {
        set(key, this.schema(value, [...at, key]));
      }
    }
    for (const key of schemaOrBool) {
      const value = schema[key];
      if (isObject(value)) set(key, this.schema(value, [...at, key]));
    }
    return next;
  }

  private rule(rule: Json, at: (string | number)[]): Json {
    let next = rule;
    for (const key of this.ruleKeys) {
      if (key in next) {
        this.dropped.push(joinPointer(...at, key));
        this.ruleFields.set(key, (this.ruleFields.get(key) ?? 0) + 1);
        next = without(next, key);
      }
    }
    return next;
  }

  /** Maps a list, returning the same list when no element changed. */
  private mapList(list: unknown[], fn: (item: unknown, index: number) => unknown): unknown[] {
    const mapped = list.map(fn);
    return mapped.some((v, i) => v !== list[i]) ? mapped : list;
  }
}

function summarize(walk: Walk): string | undefined {
  const parts: string[] = [];
  if (walk.rules > 0) parts.push(`${plural(walk.rules, "x-kubernetes-validations rule")}`);
  for (const [key, count] of walk.ruleFields) {
    parts.push(`${key} from ${plural(count, "validation rule")}`);
  }
  if (walk.selectableFields > 0) parts.push("selectableFields");
  const last = parts.pop();
  if (last === undefined) return undefined;
  return parts.length === 0 ? last : `${parts.join(", ")} and ${last}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function without(object: Json, key: string): Json {
  const { [key]: _removed, ...rest } = object;
  return rest;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
