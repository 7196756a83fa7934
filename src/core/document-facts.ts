import { detachedString } from "./detached-string.js";
import type { TypeMeta } from "./manifest.js";

/**
 * What the checks ask of every document, read once per run: its type and its name. A field of
 * the wrong type reads as absent, as `typeMetaOf` and `objectMetaOf` read it.
 */
export interface DocumentFacts {
  /** Shared by the documents of one apiVersion and kind: read it, never change it. */
  type: TypeMeta | undefined;
  name: string | undefined;
  namespace: string | undefined;
}

/** The documents of a repository come in a few types: one TypeMeta each, by apiVersion and kind. */
const types = new Map<string, Map<string, TypeMeta>>();
const maxTypes = 10_000;
let typeCount = 0;

const detached = detachedString;

function typeMeta(apiVersion: string, kind: string): TypeMeta {
  let byKind = types.get(apiVersion);
  let type = byKind?.get(kind);
  if (type !== undefined) return type;
  const slash = apiVersion.lastIndexOf("/");
  const version = detached(apiVersion);
  type = {
    apiVersion: version,
    kind: detached(kind),
    group: slash < 0 ? "" : version.slice(0, slash),
    version: slash < 0 ? version : version.slice(slash + 1),
  };
  if (typeCount < maxTypes) {
    if (byKind === undefined) {
      byKind = new Map();
      types.set(type.apiVersion, byKind);
    }
    byKind.set(type.kind, type);
    typeCount += 1;
  }
  return type;
}

/** The facts of one document's value. */
export function documentFacts(value: Record<string, unknown>): DocumentFacts {
  const { apiVersion, kind, metadata } = value;
  const type =
    typeof apiVersion === "string" && typeof kind === "string"
      ? typeMeta(apiVersion, kind)
      : undefined;
  let name: string | undefined;
  let namespace: string | undefined;
  if (typeof metadata === "object" && metadata !== null) {
    const meta = metadata as Record<string, unknown>;
    if (typeof meta.name === "string") name = meta.name;
    if (typeof meta.namespace === "string") namespace = meta.namespace;
  }
  return { type, name, namespace };
}
