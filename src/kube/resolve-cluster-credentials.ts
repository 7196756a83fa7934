import { existsSync } from "node:fs";
import path from "node:path";
import { BindopsError } from "../core/errors.js";

/**
 * Where a cluster's credentials come from. Never holds credentials themselves, only where to find
 * them, so it can be logged.
 */
export type CredentialSource =
  | { from: "kubeconfig-dir"; cluster: string; file: string }
  | { from: "env"; cluster: string; variable: string; file: string }
  /** The variable holds the kubeconfig itself (YAML or JSON), as CI secrets often do. */
  | { from: "env-inline"; cluster: string; variable: string }
  | {
      from: "kubeconfig";
      cluster: string;
      /** One or more files, merged in order as kubectl does with `KUBECONFIG`. */
      files: string[];
      context: string;
      /** Which setting named the files. */
      via: "flag" | "KUBECONFIG" | "home";
    }
  | {
      from: "in-cluster";
      cluster: string;
      server: string;
      tokenFile: string;
      caFile: string;
      /** The file holding the pod's namespace, when there is one. */
      namespaceFile?: string;
    };

/** Environment variables, as the CLI passes them in. */
export type Env = Readonly<Record<string, string | undefined>>;

export interface ResolveCredentialsOptions {
  /** `--kubeconfig-dir`: a folder holding `<cluster>.kubeconfig` files. */
  kubeconfigDir?: string;
  /** `--kubeconfig`: one file with a context per cluster. */
  kubeconfig?: string;
  env: Env;
  /** Resolves relative paths. Default: the process's working directory. */
  cwd?: string;
}

/** `BINDOPS_KUBECONFIG_<NAME>`: upper-case, and anything but letters and digits becomes `_`. */
export function credentialEnvVar(cluster: string): string {
  return `BINDOPS_KUBECONFIG_${cluster.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

/**
 * Variables of the `BINDOPS_KUBECONFIG_<NAME>` form that are options, not credentials:
 * `BINDOPS_KUBECONFIG_DIR` is `--kubeconfig-dir` (a folder), so a cluster named `dir` takes its
 * credentials from the folder, a kubeconfig or `KUBECONFIG`, never from that variable.
 */
const optionVariables: ReadonlySet<string> = new Set(["BINDOPS_KUBECONFIG_DIR"]);

/**
 * Finds a cluster's credentials, in this order:
 * 1. `DIR/<cluster>.kubeconfig` when `kubeconfigDir` is given and the file exists;
 * 2. the environment variable `BINDOPS_KUBECONFIG_<NAME>` (a path, or the kubeconfig itself);
 * 3. `kubeconfig` (else `KUBECONFIG`, else `~/.kube/config`) with a context named like the cluster.
 * Only file existence is checked here; reading and parsing happen when the source is loaded.
 */
export function resolveClusterCredentials(
  cluster: string,
  options: ResolveCredentialsOptions,
): CredentialSource {
  const { env } = options;
  const resolve = (file: string): string =>
    options.cwd === undefined ? path.resolve(file) : path.resolve(options.cwd, file);

  if (options.kubeconfigDir !== undefined) {
    const file = resolve(path.join(options.kubeconfigDir, `${cluster}.kubeconfig`));
    if (existsSync(file)) return { from: "kubeconfig-dir", cluster, file };
  }

  const variable = credentialEnvVar(cluster);
  const reserved = optionVariables.has(variable);
  const value = reserved ? undefined : env[variable];
  if (value !== undefined && value.trim() !== "") {
    if (looksInline(value)) return { from: "env-inline", cluster, variable };
    return { from: "env", cluster, variable, file: resolve(value.trim()) };
  }

  if (options.kubeconfig !== undefined) {
    return {
      from: "kubeconfig",
      cluster,
      files: [resolve(options.kubeconfig)],
      context: cluster,
      via: "flag",
    };
  }
  const list = env.KUBECONFIG?.split(path.delimiter).filter((f) => f !== "") ?? [];
  if (list.length > 0) {
    return {
      from: "kubeconfig",
      cluster,
      files: list.map(resolve),
      context: cluster,
      via: "KUBECONFIG",
    };
  }
  const home = env.HOME ?? env.USERPROFILE;
  if (home !== undefined) {
    const file = path.join(home, ".kube", "config");
    if (existsSync(file)) {
      return { from: "kubeconfig", cluster, files: [file], context: cluster, via: "home" };
    }
  }

  throw new BindopsError("usage", "no-credentials", `no credentials for cluster "${cluster}"`, {
    hint: reserved
      ? `give --kubeconfig-dir DIR with DIR/${cluster}.kubeconfig, or --kubeconfig FILE with a ` +
        `context named "${cluster}" (${variable} is the variable of --kubeconfig-dir)`
      : `give --kubeconfig-dir DIR with DIR/${cluster}.kubeconfig, set ${variable}, ` +
        `or give --kubeconfig FILE with a context named "${cluster}"`,
  });
}

export interface InClusterOptions {
  env: Env;
  /** Default `/var/run/secrets/kubernetes.io/serviceaccount`. */
  serviceAccountDir?: string;
}

/**
 * The credentials of the pod bindops runs in: the service account's token and CA, and the API
 * server from `KUBERNETES_SERVICE_HOST`/`_PORT`.
 */
export function resolveInClusterCredentials(
  cluster: string,
  options: InClusterOptions,
): CredentialSource {
  const dir = options.serviceAccountDir ?? "/var/run/secrets/kubernetes.io/serviceaccount";
  const host = options.env.KUBERNETES_SERVICE_HOST;
  const port = options.env.KUBERNETES_SERVICE_PORT;
  const tokenFile = path.join(dir, "token");
  const caFile = path.join(dir, "ca.crt");
  if (!host || !port || !existsSync(tokenFile)) {
    throw new BindopsError(
      "usage",
      "not-in-cluster",
      `cannot use in-cluster credentials for cluster "${cluster}": ` +
        (!host || !port
          ? "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set"
          : `${tokenFile} does not exist`),
      { hint: "run bindops in a pod with a service account, or give a kubeconfig" },
    );
  }
  const namespaceFile = path.join(dir, "namespace");
  const hostPart = host.includes(":") ? `[${host}]` : host;
  return {
    from: "in-cluster",
    cluster,
    server: `https://${hostPart}:${port}`,
    tokenFile,
    caFile,
    ...(existsSync(namespaceFile) ? { namespaceFile } : {}),
  };
}

/** Where the credentials came from, for a log line or message. */
export function describeCredentialSource(source: CredentialSource): string {
  switch (source.from) {
    case "kubeconfig-dir":
      return `kubeconfig ${source.file}`;
    case "env":
      return `kubeconfig ${source.file} (from ${source.variable})`;
    case "env-inline":
      return `the kubeconfig in ${source.variable}`;
    case "kubeconfig":
      return `context "${source.context}" of ${source.files.join(path.delimiter)}${
        source.via === "KUBECONFIG" ? " (from KUBECONFIG)" : ""
      }`;
    case "in-cluster":
      return `the pod's service account (${source.server})`;
  }
}

function looksInline(value: string): boolean {
  const trimmed = value.trim();
  return trimmed.includes("\n") || trimmed.startsWith("{");
}
