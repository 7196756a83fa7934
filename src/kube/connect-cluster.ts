import type { KubeClient } from "./kube-client.js";
import { KubeError } from "./kube-error.js";
import { loadKubeConfig } from "./load-kube-config.js";
import {
  describeCredentialSource,
  resolveClusterCredentials,
  type CredentialSource,
  type ResolveCredentialsOptions,
} from "./resolve-cluster-credentials.js";
import { RestKubeClient } from "./rest-kube-client.js";
import type { ServerVersion } from "./server-version.js";

export interface ConnectClusterOptions extends ResolveCredentialsOptions {
  /** Use this source instead of resolving one (e.g. in-cluster credentials). */
  source?: CredentialSource;
  /** Per-request timeout of the client. Default 30 s. */
  requestTimeoutMs?: number;
  signal?: AbortSignal;
}

/** A cluster whose API server answered: its client, where its credentials came from, its version. */
export interface ConnectedCluster {
  name: string;
  source: CredentialSource;
  client: KubeClient & { close(): void };
  version: ServerVersion;
}

/**
 * Resolves a cluster's credentials, loads them and reads the server's version, so that a cluster
 * that does not answer is reported once, up front, with where its credentials came from.
 * Fails with `usage` for missing or broken kubeconfigs and a KubeError (`Unreachable`,
 * `Unauthorized`, ...) when the server does not answer or refuses.
 */
export async function connectCluster(
  name: string,
  options: ConnectClusterOptions,
): Promise<ConnectedCluster> {
  const source = options.source ?? resolveClusterCredentials(name, options);
  const kubeConfig = loadKubeConfig(source, { env: options.env });
  const client = new RestKubeClient(kubeConfig, {
    ...(options.requestTimeoutMs === undefined
      ? {}
      : { requestTimeoutMs: options.requestTimeoutMs }),
  });
  try {
    const version = await client.serverVersion(
      options.signal === undefined ? {} : { signal: options.signal },
    );
    return { name, source, client, version };
  } catch (error) {
    client.close();
    if (error instanceof KubeError) {
      throw new KubeError(error.code, `cluster "${name}": ${error.message}`, {
        ...(error.server === undefined ? {} : { server: error.server }),
        ...(error.status === undefined ? {} : { status: error.status }),
        ...(error.reason === undefined ? {} : { reason: error.reason }),
        ...(error.serverMessage === undefined ? {} : { serverMessage: error.serverMessage }),
        hint: `${error.hint ?? "check the cluster"} (credentials: ${describeCredentialSource(source)})`,
        cause: error.cause,
      });
    }
    throw error;
  }
}
