import { chmod, readFile, writeFile } from "node:fs/promises";
import { stringify } from "yaml";
import type { DevPaths } from "./dev-paths.js";
import type { ClusterRecord } from "./dev-state.js";

/** A running local cluster, as `dev up` hands it out. */
export interface DevCluster {
  name: string;
  /** `<state>/<name>.kubeconfig`: cluster, context and user all named like the cluster. */
  kubeconfigPath: string;
  /** `https://127.0.0.1:<port>`. */
  server: string;
  /** Admin bearer token (group `system:masters`). */
  token: string;
  /** The local CA that issued the API server's certificate, base64 PEM (`certificate-authority-data`). */
  caData: string;
  /** The same chain as PEM text, ready for `https.request({ ca })`. */
  ca: string;
}

/** The cluster as clients see it; the local CA must exist (see dev-pki.ts). */
export async function devCluster(paths: DevPaths, record: ClusterRecord): Promise<DevCluster> {
  const ca = await readFile(paths.pki.caCert, "utf8");
  return {
    name: record.name,
    kubeconfigPath: paths.kubeconfig(record.name),
    server: `https://127.0.0.1:${record.port}`,
    token: record.token,
    caData: Buffer.from(ca).toString("base64"),
    ca,
  };
}

/** Writes a kubeconfig for the cluster (mode 0600: it holds the admin token). */
export async function writeKubeconfig(file: string, cluster: DevCluster): Promise<void> {
  const name = cluster.name;
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      { name, cluster: { server: cluster.server, "certificate-authority-data": cluster.caData } },
    ],
    users: [{ name, user: { token: cluster.token } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    "current-context": name,
    preferences: {},
  };
  await writeFile(file, stringify(config), { mode: 0o600 });
  // writeFile's mode applies only to a new file.
  await chmod(file, 0o600);
}
