import { joinPointer, type Finding } from "../core/finding.js";
import { objectMetaOf, typeMetaOf, type ManifestDocument } from "../core/manifest.js";
import { documentFinding } from "./document-finding.js";
import { asRecord } from "./lenient.js";
import { bindopsGroup, type RepositoryIndex } from "./repository-index.js";

/**
 * Keys whose string values are secrets, compared lower-case without `-` and `_`: kubeconfig user
 * fields (`token`, `client-key-data`, `password`, auth-provider `id-token`, ...) and the usual
 * names of API keys. `secret` alone is not one: it mostly names a Secret.
 */
const credentialKeys = new Set([
  "token",
  "bearertoken",
  "accesstoken",
  "refreshtoken",
  "idtoken",
  "password",
  "passwd",
  "clientkeydata",
  "clientsecret",
  "secretaccesskey",
  "awssecretaccesskey",
  "apikey",
  "privatekey",
]);

const privateKey = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;
/** A kubeconfig written into a string, with a credential line in it. */
const inlineKubeconfig =
  /^\s*(?:token|client-key-data|password|client-secret|id-token|refresh-token)\s*:\s*["']?[^\s"'#]/m;
/** Values that stand for a secret rather than being one: `${TOKEN}`, `{{ .token }}`, `<token>`. */
const placeholder = /^(?:\$\{[^}]*\}|\$\([^)]*\)|\{\{.*\}\}|<[^<>]*>|\*+)$/s;

/**
 * `credential-in-repo` (error): a non-empty string under a credential key (token, password,
 * client-key-data, client-secret, secret-access-key, ...), a PEM private key in any string, or a
 * kubeconfig with credentials written into a string, anywhere in any document, bindops.yaml's
 * cluster entries included. Schemas are not data: subtrees under `openAPIV3Schema` are skipped, so
 * a CRD property named `password` is fine. Empty strings and placeholders are not credentials.
 *
 * `plain-secret` (warning): a core Secret with non-empty `data` or `stringData`; its values are
 * not reported again as credentials.
 */
export function checkCredentials(index: RepositoryIndex): Finding[] {
  const findings: Finding[] = [];
  for (const document of index.documents) {
    const type = typeMetaOf(document.value);
    const isSecret = type?.group === "" && type.kind === "Secret";
    const isRepository = type?.group === bindopsGroup && type.kind === "Repository";
    if (isSecret) {
      const finding = plainSecret(document);
      if (finding) findings.push(finding);
    }
    const visit = (value: unknown, pointer: string, key: string | undefined): void => {
      if (typeof value === "string") {
        const why = credentialIn(value, key);
        if (why !== undefined) {
          findings.push(
            documentFinding(
              "credential-in-repo",
              document,
              pointer,
              isRepository
                ? `bindops.yaml carries ${why}; credentials never live in the repository: use --kubeconfig-dir, BINDOPS_KUBECONFIG_<NAME> or --kubeconfig`
                : `${why} is committed to the repository; remove it and rotate it`,
            ),
          );
        }
      } else if (Array.isArray(value)) {
        value.forEach((item, i) => visit(item, pointer + joinPointer(i), undefined));
      } else {
        for (const [child, item] of Object.entries(asRecord(value) ?? {})) {
          if (child === "openAPIV3Schema") continue;
          if (isSecret && pointer === "" && (child === "data" || child === "stringData")) continue;
          visit(item, pointer + joinPointer(child), child);
        }
      }
    };
    visit(document.value, "", undefined);
  }
  return findings;
}

function credentialIn(value: string, key: string | undefined): string | undefined {
  const text = value.trim();
  if (text === "" || placeholder.test(text)) return undefined;
  if (key !== undefined && credentialKeys.has(key.toLowerCase().replace(/[-_]/g, ""))) {
    return `a value for \`${key}\``;
  }
  if (privateKey.test(value)) return "a PEM private key";
  if (value.includes("\n") && /^\s*users\s*:/m.test(value) && inlineKubeconfig.test(value)) {
    return "a kubeconfig with credentials";
  }
  return undefined;
}

function plainSecret(document: ManifestDocument): Finding | undefined {
  for (const field of ["data", "stringData"] as const) {
    const entries = Object.entries(asRecord(document.value[field]) ?? {});
    const filled = entries.filter(
      ([, v]) => typeof v === "string" && v.trim() !== "" && !placeholder.test(v.trim()),
    );
    if (filled.length === 0) continue;
    const { name, namespace } = objectMetaOf(document.value);
    const what = name ? ` ${namespace ? `${namespace}/` : ""}${name}` : "";
    return documentFinding(
      "plain-secret",
      document,
      joinPointer(field),
      `Secret${what} holds ${filled.length} ${field} value${filled.length === 1 ? "" : "s"} in plain text (base64 is not encryption); use sealed-secrets or external-secrets`,
    );
  }
  return undefined;
}
