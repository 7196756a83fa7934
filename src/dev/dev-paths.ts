import { homedir } from "node:os";
import path from "node:path";

/** Where `dev up` keeps each thing inside its state folder. */
export interface DevPaths {
  stateDir: string;
  /** The JSON record of ports, tokens and the processes `dev up` started. */
  stateFile: string;
  logsDir: string;
  etcdDataDir: string;
  /** Per-cluster material that is not for users: certificates, keys, token file. */
  clustersDir: string;
  /** The local certificate authority and etcd's certificates (see dev-pki.ts). */
  pki: {
    dir: string;
    caCert: string;
    caKey: string;
    /** etcd's serving certificate (127.0.0.1, localhost). */
    etcdServerCert: string;
    etcdServerKey: string;
    /** The client certificate the API servers present to etcd; etcd trusts nothing else. */
    etcdClientCert: string;
    etcdClientKey: string;
  };
  log(processName: string): string;
  clusterDir(cluster: string): string;
  /** The API server's certificates. */
  certDir(cluster: string): string;
  /** The API server's serving certificate, issued by the local CA. */
  servingCert(cluster: string): string;
  servingKey(cluster: string): string;
  serviceAccountKey(cluster: string): string;
  serviceAccountPublicKey(cluster: string): string;
  tokenFile(cluster: string): string;
  /** The API server's audit policy: what service accounts of `bindops-system` do. */
  auditPolicy(cluster: string): string;
  /** Where the API server writes that audit log (JSON lines). */
  auditLog(cluster: string): string;
  /** The controller manager's own copy, so users may edit theirs freely. */
  controllerManagerKubeconfig(cluster: string): string;
  /** `<state>/<cluster>.kubeconfig`: the layout `--kubeconfig-dir` reads. */
  kubeconfig(cluster: string): string;
}

/** The layout of a `dev` state folder; `stateDir` should be absolute. */
export function devPaths(stateDir: string): DevPaths {
  const clustersDir = path.join(stateDir, "clusters");
  const clusterDir = (cluster: string) => path.join(clustersDir, cluster);
  const certDir = (cluster: string) => path.join(clusterDir(cluster), "pki");
  const pkiDir = path.join(stateDir, "pki");
  return {
    stateDir,
    stateFile: path.join(stateDir, "state.json"),
    logsDir: path.join(stateDir, "logs"),
    etcdDataDir: path.join(stateDir, "etcd"),
    clustersDir,
    pki: {
      dir: pkiDir,
      caCert: path.join(pkiDir, "ca.crt"),
      caKey: path.join(pkiDir, "ca.key"),
      etcdServerCert: path.join(pkiDir, "etcd-server.crt"),
      etcdServerKey: path.join(pkiDir, "etcd-server.key"),
      etcdClientCert: path.join(pkiDir, "etcd-client.crt"),
      etcdClientKey: path.join(pkiDir, "etcd-client.key"),
    },
    log: (name) => path.join(stateDir, "logs", `${name}.log`),
    clusterDir,
    certDir,
    servingCert: (cluster) => path.join(certDir(cluster), "apiserver.crt"),
    servingKey: (cluster) => path.join(certDir(cluster), "apiserver.key"),
    serviceAccountKey: (cluster) => path.join(clusterDir(cluster), "service-account.key"),
    serviceAccountPublicKey: (cluster) => path.join(clusterDir(cluster), "service-account.pub"),
    tokenFile: (cluster) => path.join(clusterDir(cluster), "tokens.csv"),
    auditPolicy: (cluster) => path.join(clusterDir(cluster), "audit-policy.yaml"),
    auditLog: (cluster) => path.join(clusterDir(cluster), "audit.log"),
    controllerManagerKubeconfig: (cluster) =>
      path.join(clusterDir(cluster), "controller-manager.kubeconfig"),
    kubeconfig: (cluster) => path.join(stateDir, `${cluster}.kubeconfig`),
  };
}

/**
 * Where the control-plane binaries are cached: `BINDOPS_CACHE_DIR` (relative to `cwd`), else
 * `$XDG_CACHE_HOME/bindops`, else `~/.cache/bindops`, as scripts/build-control-plane.sh decides.
 */
export function defaultCacheDir(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): string {
  const explicit = env.BINDOPS_CACHE_DIR;
  if (explicit) return path.resolve(cwd, explicit);
  return path.join(env.XDG_CACHE_HOME || path.join(homedir(), ".cache"), "bindops");
}
