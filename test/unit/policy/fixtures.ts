import { parse } from "yaml";
import type { ManifestDocument } from "../../../src/core/manifest.js";

/** A document parsed from YAML text, placed at `file` and `index`. */
export function doc(yaml: string, file = "repo.yaml", index = 0): ManifestDocument {
  return { file, index, line: 1, col: 1, value: parse(yaml) as Record<string, unknown> };
}

/** A ServiceBinding with the given claims (YAML flow or block text for `permissionClaims`). */
export function bindingDoc(
  options: {
    claims: unknown[];
    name?: string;
    provider?: string;
    consumer?: string;
    template?: string;
    namespaces?: string[];
  },
  file = "consumers/consumer/bindings/orders-db.yaml",
  index = 0,
): ManifestDocument {
  return {
    file,
    index,
    line: 1,
    col: 1,
    value: {
      apiVersion: "bindops.dev/v1alpha1",
      kind: "ServiceBinding",
      metadata: { name: options.name ?? "orders-db" },
      spec: {
        consumer: options.consumer ?? "consumer",
        provider: options.provider ?? "provider",
        template: options.template ?? "databases",
        ...(options.namespaces === undefined
          ? {}
          : { namespaces: options.namespaces.map((name) => ({ name })) }),
        permissionClaims: options.claims,
      },
    },
  };
}

/** A ClaimPolicy document with the given rules. */
export function policyDoc(
  name: string,
  rules: unknown[],
  file = `policies/${name}.yaml`,
  index = 0,
) {
  return doc(
    JSON.stringify({
      apiVersion: "bindops.dev/v1alpha1",
      kind: "ClaimPolicy",
      metadata: { name },
      spec: { rules },
    }),
    file,
    index,
  );
}

export const secretsMatchAll = { group: "", resource: "secrets", selector: { labelSelector: {} } };
export const secretsLabelled = {
  group: "",
  resource: "secrets",
  selector: { labelSelector: { matchLabels: { app: "orders-db" } } },
};
