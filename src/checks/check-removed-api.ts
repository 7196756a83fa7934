import type { Finding } from "../core/finding.js";
import type { ManifestDocument, TypeMeta } from "../core/manifest.js";
import { compareReleases, removedApiOf } from "../core/removed-apis.js";
import { documentFinding } from "./document-finding.js";

/**
 * `removed-api` (error): the document's apiVersion of its kind is no longer served by Kubernetes
 * `kubernetesVersion` (`--kubernetes-version`); the message names the release that removed it and
 * what replaces it. `deprecated-api` (warning): still served by that release, but deprecated and
 * due for removal. As Pluto and kubent report them, from Kubernetes' deprecation guide.
 */
export function checkRemovedApi(
  document: ManifestDocument,
  type: TypeMeta | undefined,
  kubernetesVersion: string,
): Finding | undefined {
  if (type === undefined) return undefined;
  const api = removedApiOf(type.apiVersion, type.kind);
  if (api === undefined) return undefined;
  const what = `${type.apiVersion} ${type.kind}`;
  if (compareReleases(api.removedIn, kubernetesVersion) <= 0) {
    return documentFinding(
      "removed-api",
      document,
      "/apiVersion",
      `${what} was removed in Kubernetes ${api.removedIn}: use ${api.replacement}`,
    );
  }
  if (api.deprecatedIn !== undefined && compareReleases(api.deprecatedIn, kubernetesVersion) <= 0) {
    return documentFinding(
      "deprecated-api",
      document,
      "/apiVersion",
      `${what} is deprecated since Kubernetes ${api.deprecatedIn} and removed in ${api.removedIn}: use ${api.replacement}`,
    );
  }
  return undefined;
}
