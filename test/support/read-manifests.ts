import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../../src/core/kube-object.js";

/** Every object in the `.yaml`/`.yml` files of a folder, files in name order. */
export function readManifests(dir: string): KubeObject[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(path.join(dir, f), "utf8")))
    .map((doc) => doc.toJS() as KubeObject | null)
    .filter((doc): doc is KubeObject => doc !== null);
}

/** The CustomResourceDefinitions among them. */
export function readCrds(dir: string): KubeObject[] {
  return readManifests(dir).filter((o) => o.kind === "CustomResourceDefinition");
}
