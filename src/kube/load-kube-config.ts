import { readFileSync } from "node:fs";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { BindopsError } from "../core/errors.js";
import {
  credentialEnvVar,
  describeCredentialSource,
  type CredentialSource,
  type Env,
} from "./resolve-cluster-credentials.js";

export interface LoadKubeConfigOptions {
  /** Needed for `env-inline` sources, whose kubeconfig lives in the variable. */
  env?: Env;
}

/**
 * Reads the kubeconfig a source points at and selects the context to use: the named one for
 * `--kubeconfig`, otherwise the file's current context (or its only one, or one named like the
 * cluster). Fails with a `usage` error that says which file and what to do; never echoes the
 * file's content, which may hold tokens or keys.
 */
export function loadKubeConfig(
  source: CredentialSource,
  options: LoadKubeConfigOptions = {},
): KubeConfig {
  const kc = new KubeConfig();
  switch (source.from) {
    case "kubeconfig-dir":
    case "env":
      loadFile(kc, source.file, source);
      selectOwnContext(kc, source);
      break;
    case "env-inline": {
      const text = options.env?.[source.variable] ?? "";
      loadText(kc, text, `the kubeconfig in ${source.variable}`, source);
      selectOwnContext(kc, source);
      break;
    }
    case "kubeconfig":
      loadFiles(kc, source.files, source);
      selectNamedContext(kc, source.context, source);
      break;
    case "in-cluster":
      loadInCluster(kc, source);
      break;
  }
  checkContext(kc, source);
  return kc;
}

function loadFile(kc: KubeConfig, file: string, source: CredentialSource): void {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    throw new BindopsError(
      "usage",
      missing ? "kubeconfig-missing" : "kubeconfig-unreadable",
      missing ? `kubeconfig ${file} does not exist` : `cannot read kubeconfig ${file}`,
      { hint: hintFor(source), cause: error },
    );
  }
  loadText(kc, text, `kubeconfig ${file}`, source);
  kc.makePathsAbsolute(path.dirname(file));
}

function loadFiles(kc: KubeConfig, files: string[], source: CredentialSource): void {
  const [first, ...rest] = files;
  if (first === undefined) return;
  loadFile(kc, first, source);
  // As kubectl merges KUBECONFIG: the first file that names an entry wins.
  for (const file of rest) {
    const next = new KubeConfig();
    loadFile(next, file, source);
    const has = (list: { name: string }[], name: string): boolean =>
      list.some((e) => e.name === name);
    kc.clusters.push(...next.clusters.filter((c) => !has(kc.clusters, c.name)));
    kc.users.push(...next.users.filter((u) => !has(kc.users, u.name)));
    kc.contexts.push(...next.contexts.filter((c) => !has(kc.contexts, c.name)));
    if (!kc.currentContext) kc.currentContext = next.currentContext;
  }
}

function loadText(kc: KubeConfig, text: string, what: string, source: CredentialSource): void {
  try {
    kc.loadFromString(text);
  } catch (error) {
    // YAML errors quote the offending lines, which may be secrets: report only line and reason.
    const yaml = error as { name?: string; reason?: string; mark?: { line?: number } };
    const detail =
      yaml.name === "YAMLException"
        ? `not valid YAML${yaml.mark?.line === undefined ? "" : ` at line ${yaml.mark.line + 1}`}` +
          (yaml.reason ? ` (${yaml.reason})` : "")
        : error instanceof TypeError
          ? "not a kubeconfig (expected a mapping with clusters, users and contexts)"
          : error instanceof Error
            ? error.message
            : String(error);
    throw new BindopsError("usage", "kubeconfig-invalid", `${what} is unusable: ${detail}`, {
      hint: hintFor(source),
    });
  }
}

function selectOwnContext(kc: KubeConfig, source: CredentialSource): void {
  if (kc.currentContext && kc.getContextObject(kc.currentContext)) return;
  const named = kc.getContextObject(source.cluster);
  const only = kc.contexts.length === 1 ? kc.contexts[0] : undefined;
  const chosen = named ?? only;
  if (!chosen) {
    throw new BindopsError(
      "usage",
      "kubeconfig-context",
      `${describeCredentialSource(source)} sets no current-context` +
        (kc.contexts.length > 0 ? ` (contexts: ${kc.contexts.map((c) => c.name).join(", ")})` : ""),
      { hint: "set current-context in that kubeconfig" },
    );
  }
  kc.setCurrentContext(chosen.name);
}

function selectNamedContext(kc: KubeConfig, context: string, source: CredentialSource): void {
  if (!kc.getContextObject(context)) {
    const known = kc.contexts.map((c) => c.name);
    throw new BindopsError(
      "usage",
      "kubeconfig-context",
      `${source.from === "kubeconfig" ? source.files.join(", ") : "the kubeconfig"} has no context ` +
        `named "${context}"${known.length > 0 ? ` (it has: ${known.join(", ")})` : ""}`,
      { hint: hintFor(source) },
    );
  }
  kc.setCurrentContext(context);
}

function loadInCluster(
  kc: KubeConfig,
  source: Extract<CredentialSource, { from: "in-cluster" }>,
): void {
  let namespace: string | undefined;
  if (source.namespaceFile !== undefined) {
    try {
      namespace = readFileSync(source.namespaceFile, "utf8").trim() || undefined;
    } catch {
      namespace = undefined;
    }
  }
  kc.loadFromOptions({
    clusters: [
      { name: "in-cluster", server: source.server, caFile: source.caFile, skipTLSVerify: false },
    ],
    // A token file, re-read as the kubelet rotates it.
    users: [
      {
        name: "in-cluster",
        authProvider: { name: "tokenFile", config: { tokenFile: source.tokenFile } },
      },
    ],
    contexts: [
      {
        name: "in-cluster",
        cluster: "in-cluster",
        user: "in-cluster",
        ...(namespace === undefined ? {} : { namespace }),
      },
    ],
    currentContext: "in-cluster",
  });
}

function checkContext(kc: KubeConfig, source: CredentialSource): void {
  const context = kc.getContextObject(kc.getCurrentContext());
  const problem = !context
    ? "has no current context"
    : !kc.getCluster(context.cluster)
      ? `context "${context.name}" names cluster "${context.cluster}", which it does not define`
      : !kc.getUser(context.user)
        ? `context "${context.name}" names user "${context.user}", which it does not define`
        : undefined;
  if (problem !== undefined) {
    throw new BindopsError(
      "usage",
      "kubeconfig-context",
      `${describeCredentialSource(source)}: ${problem}`,
      {
        hint: hintFor(source),
      },
    );
  }
}

function hintFor(source: CredentialSource): string {
  const c = source.cluster;
  return (
    `credentials for cluster "${c}" come from --kubeconfig-dir DIR (DIR/${c}.kubeconfig), ` +
    `${credentialEnvVar(c)}, or --kubeconfig FILE with a context named "${c}"`
  );
}
