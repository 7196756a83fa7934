import { joinPointer, type Finding } from "../core/finding.js";
import type { ManifestDocument, TypeMeta } from "../core/manifest.js";
import { documentFacts } from "../core/document-facts.js";
import { documentFinding } from "./document-finding.js";
import { asRecord } from "../core/lenient.js";
import { bindopsGroup } from "../core/kube-groups.js";

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
const base64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;
/** Values that stand for a secret rather than being one: `${TOKEN}`, `{{ .token }}`, `<token>`. */
const placeholder = /^(?:\$\{[^}]*\}|\$\([^)]*\)|\{\{.*\}\}|<[^<>]*>|\*+)$/s;

/**
 * `credential-in-repo` (error): a non-empty string under a credential key (token, password,
 * client-key-data, client-secret, secret-access-key, ...), a PEM private key in any string, or a
 * kubeconfig with credentials written into a string, anywhere in any document, bindops.yaml's
 * cluster entries included. Schemas are not data: subtrees under `openAPIV3Schema` are skipped, so
 * a CRD property named `password` is fine. Empty strings and placeholders are not credentials.
 *
 * `plain-secret` (warning): a core Secret with non-empty `data` or `stringData`. Credentials among
 * its values (a `password`, a PEM private key, in `stringData` or base64 in `data`) are errors
 * (`credential-in-repo`) as anywhere else: committed secret material is never only a warning.
 *
 * One document (of type `type`) at a time, so that each is checked as soon as it is parsed. The
 * walk keeps a path, not a pointer per node: a pointer is built only for a finding.
 */
export function checkCredentials(
  document: ManifestDocument,
  type: TypeMeta | undefined,
): Finding[] {
  const findings: Finding[] = [];
  const isSecret = type?.group === "" && type.kind === "Secret";
  const isRepository = type?.group === bindopsGroup && type.kind === "Repository";
  if (isSecret) {
    const finding = plainSecret(document);
    if (finding) findings.push(finding);
  }
  const path: (string | number)[] = [];
  const visit = (value: unknown, key: string | undefined): void => {
    if (typeof value === "string") {
      const why = credentialIn(value, key);
      if (why !== undefined) {
        findings.push(
          documentFinding(
            "credential-in-repo",
            document,
            joinPointer(...path),
            isRepository
              ? `bindops.yaml carries ${why}; credentials never live in the repository: use --kubeconfig-dir, BINDOPS_KUBECONFIG_<NAME> or --kubeconfig`
              : `${why} is committed to the repository; remove it and rotate it`,
          ),
        );
      }
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        visit(value[i], undefined);
        path.pop();
      }
    } else if (typeof value === "object" && value !== null) {
      const record = value as Record<string, unknown>;
      const top = path.length === 0;
      for (const child of Object.keys(record)) {
        if (child === "openAPIV3Schema") continue;
        path.push(child);
        // A Secret's data is base64: its values are judged by what they decode to.
        if (isSecret && top && child === "data") visitEncoded(asRecord(record[child]) ?? {});
        else visit(record[child], child);
        path.pop();
      }
    }
  };
  const visitEncoded = (data: Record<string, unknown>): void => {
    for (const [key, value] of Object.entries(data)) {
      if (typeof value !== "string" || !base64.test(value)) continue;
      path.push(key);
      visit(Buffer.from(value, "base64").toString("utf8"), key);
      path.pop();
    }
  };
  visit(document.value, undefined);
  return findings;
}

/** Whether a key names a credential, by its normalised form; memoised, as keys repeat. */
const credentialKeyCache = new Map<string, boolean>();
function isCredentialKey(key: string): boolean {
  let known = credentialKeyCache.get(key);
  if (known === undefined) {
    known = credentialKeys.has(key.toLowerCase().replace(/[-_]/g, ""));
    if (credentialKeyCache.size < 10_000) credentialKeyCache.set(key, known);
  }
  return known;
}

function credentialIn(value: string, key: string | undefined): string | undefined {
  // Cheap tests first: most strings are under ordinary keys and hold no key material.
  const credentialKey = key !== undefined && isCredentialKey(key);
  const pem = !credentialKey && value.includes("-----BEGIN ") && privateKey.test(value);
  const kubeconfig =
    !credentialKey &&
    !pem &&
    value.includes("\n") &&
    /^\s*users\s*:/m.test(value) &&
    inlineKubeconfig.test(value);
  if (!credentialKey && !pem && !kubeconfig) return undefined;
  const text = value.trim();
  if (text === "" || placeholder.test(text)) return undefined;
  if (credentialKey) return `a value for \`${key}\``;
  return pem ? "a PEM private key" : "a kubeconfig with credentials";
}

function plainSecret(document: ManifestDocument): Finding | undefined {
  for (const field of ["data", "stringData"] as const) {
    const entries = Object.entries(asRecord(document.value[field]) ?? {});
    const filled = entries.filter(
      ([, v]) => typeof v === "string" && v.trim() !== "" && !placeholder.test(v.trim()),
    );
    if (filled.length === 0) continue;
    const { name, namespace } = documentFacts(document.value);
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
