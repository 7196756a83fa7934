import type { ServerName } from "./control-plane-servers.js";
import type { DevPaths } from "./dev-paths.js";
import type { ClusterRecord, DevState } from "./dev-state.js";
import type { ControlPlaneBinaries } from "./ensure-binaries.js";

/**
 * The controllers that make a bare API server behave like a cluster a kube-bind provider runs on:
 * namespaces finish deleting, ownerReferences cascade, service accounts and their legacy token
 * Secrets are filled in (kube-bind's backend creates one and waits for it), and aggregated
 * ClusterRoles are filled (kube-bind's export RBAC aggregates into one).
 */
export const devControllers = [
  "namespace",
  "garbagecollector",
  "serviceaccount-token",
  "serviceaccount",
  "clusterrole-aggregation",
] as const;

/** The issuer of service-account tokens, as in a kubeadm cluster. */
const serviceAccountIssuer = "https://kubernetes.default.svc.cluster.local";

/** Command lines for each process; pure, so a restart runs exactly the same command. */
export const controlPlaneArgs = {
  etcd(bin: ControlPlaneBinaries, paths: DevPaths, state: DevState): string[] {
    const client = `https://127.0.0.1:${state.etcd.clientPort}`;
    const peer = `https://127.0.0.1:${state.etcd.peerPort}`;
    const pki = paths.pki;
    return [
      bin.etcd,
      "--name=bindops-dev",
      `--data-dir=${paths.etcdDataDir}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=bindops-dev=${peer}`,
      // Clients must present a certificate of the local CA: only the API servers have one.
      `--cert-file=${pki.etcdServerCert}`,
      `--key-file=${pki.etcdServerKey}`,
      `--trusted-ca-file=${pki.caCert}`,
      "--client-cert-auth=true",
      `--peer-cert-file=${pki.etcdServerCert}`,
      `--peer-key-file=${pki.etcdServerKey}`,
      `--peer-trusted-ca-file=${pki.caCert}`,
      "--peer-client-cert-auth=true",
      // /health and /metrics on plain http, as kubeadm's probes use: no data is served there.
      `--listen-metrics-urls=http://127.0.0.1:${state.etcd.metricsPort}`,
      "--logger=zap",
      "--log-outputs=stderr",
      "--log-level=warn",
    ];
  },

  apiserver(
    bin: ControlPlaneBinaries,
    paths: DevPaths,
    state: DevState,
    cluster: ClusterRecord,
  ): string[] {
    const pki = paths.pki;
    return [
      bin.kubeApiserver,
      `--etcd-servers=https://127.0.0.1:${state.etcd.clientPort}`,
      `--etcd-cafile=${pki.caCert}`,
      `--etcd-certfile=${pki.etcdClientCert}`,
      `--etcd-keyfile=${pki.etcdClientKey}`,
      // One etcd serves every cluster; the prefix keeps their data apart.
      `--etcd-prefix=/bindops/${cluster.name}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${cluster.port}`,
      ...(state.server === "old" ? ["--insecure-port=0"] : []),
      `--tls-cert-file=${paths.servingCert(cluster.name)}`,
      `--tls-private-key-file=${paths.servingKey(cluster.name)}`,
      `--token-auth-file=${paths.tokenFile(cluster.name)}`,
      // As a kubeadm cluster has them: Node and RBAC authorization, NodeRestriction on top of
      // the default admission plug-ins.
      "--authorization-mode=Node,RBAC",
      "--enable-admission-plugins=NodeRestriction",
      "--allow-privileged=true",
      `--service-account-key-file=${paths.serviceAccountPublicKey(cluster.name)}`,
      `--service-account-signing-key-file=${paths.serviceAccountKey(cluster.name)}`,
      `--service-account-issuer=${serviceAccountIssuer}`,
      "--service-cluster-ip-range=10.0.0.0/24",
      "--profiling=false",
      // What bindops's own service accounts do, for checking deploy/'s RBAC against it.
      `--audit-policy-file=${paths.auditPolicy(cluster.name)}`,
      `--audit-log-path=${paths.auditLog(cluster.name)}`,
      "--audit-log-maxsize=20",
      "--audit-log-maxbackup=1",
    ];
  },

  controllerManager(
    bin: ControlPlaneBinaries,
    paths: DevPaths,
    server: ServerName,
    cluster: ClusterRecord,
  ): string[] {
    return [
      bin.kubeControllerManager,
      `--kubeconfig=${paths.controllerManagerKubeconfig(cluster.name)}`,
      "--leader-elect=false",
      // 1.20 still opened an insecure port by default; 1.24 removed the flag.
      ...(server === "old" ? ["--port=0"] : []),
      "--secure-port=0",
      `--service-account-private-key-file=${paths.serviceAccountKey(cluster.name)}`,
      `--root-ca-file=${paths.pki.caCert}`,
      `--controllers=${devControllers.join(",")}`,
    ];
  },
};

/**
 * The API servers' audit policy: request metadata (who, verb, resource, name, response code) of
 * the service accounts in namespace `bindops-system`, where bindops runs in a cluster; nothing of
 * anyone else, so the log stays small.
 */
export const devAuditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
    userGroups: ["system:serviceaccounts:bindops-system"]
  - level: None
`;
