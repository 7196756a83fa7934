/** One YAML (or JSON) document of a repository file, parsed, with where it came from. */
export interface ManifestDocument {
  /** Path relative to the repository root, with forward slashes. */
  file: string;
  /** 0-based index of the document within its file (empty documents count too). */
  index: number;
  /** 1-based line and column where the document's content starts. */
  line: number;
  col: number;
  /** The parsed content. Only mappings become documents; anything else is a load finding. */
  value: Record<string, unknown>;
}

/** `group/version` split out of an `apiVersion`; the core group has `group: ""`. */
export interface TypeMeta {
  apiVersion: string;
  kind: string;
  group: string;
  version: string;
}

export function typeMetaOf(value: Record<string, unknown>): TypeMeta | undefined {
  const { apiVersion, kind } = value;
  if (typeof apiVersion !== "string" || typeof kind !== "string") return undefined;
  const slash = apiVersion.lastIndexOf("/");
  return {
    apiVersion,
    kind,
    group: slash < 0 ? "" : apiVersion.slice(0, slash),
    version: slash < 0 ? apiVersion : apiVersion.slice(slash + 1),
  };
}

/** `metadata.name` and `metadata.namespace`, when they are strings. */
export function objectMetaOf(value: Record<string, unknown>): {
  name?: string;
  namespace?: string;
} {
  const meta = value.metadata;
  if (typeof meta !== "object" || meta === null) return {};
  const { name, namespace } = meta as Record<string, unknown>;
  return {
    ...(typeof name === "string" ? { name } : {}),
    ...(typeof namespace === "string" ? { namespace } : {}),
  };
}
