import type { DevPaths } from "./dev-paths.js";
import type { ClusterRecord, DevState } from "./dev-state.js";
import type { ControlPlaneBinaries } from "./ensure-binaries.js";

/** The controllers that make a bare API server behave like a cluster (see DESIGN, step 6). */
const controllers = ["namespace", "garbagecollector", "serviceaccount-token", "serviceaccount"];

/** The issuer of service-account tokens, as in a kubeadm cluster. */
const serviceAccountIssuer = "https://kubernetes.default.svc.cluster.local";

/** Command lines for each process; pure, so a restart runs exactly the same command. */
export const controlPlaneArgs = {
  etcd(bin: ControlPlaneBinaries, paths: DevPaths, state: DevState): string[] {
    const client = `http://127.0.0.1:${state.etcd.clientPort}`;
    const peer = `http://127.0.0.1:${state.etcd.peerPort}`;
    return [
      bin.etcd,
      "--name=bindops-dev",
      `--data-dir=${paths.etcdDataDir}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=bindops-dev=${peer}`,
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
    return [
      bin.kubeApiserver,
      `--etcd-servers=http://127.0.0.1:${state.etcd.clientPort}`,
      // One etcd serves every cluster; the prefix keeps their data apart.
      `--etcd-prefix=/bindops/${cluster.name}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${cluster.port}`,
      "--insecure-port=0",
      `--cert-dir=${paths.certDir(cluster.name)}`,
      `--token-auth-file=${paths.tokenFile(cluster.name)}`,
      "--authorization-mode=RBAC",
      `--service-account-key-file=${paths.serviceAccountPublicKey(cluster.name)}`,
      `--service-account-signing-key-file=${paths.serviceAccountKey(cluster.name)}`,
      `--service-account-issuer=${serviceAccountIssuer}`,
      // There are no pods and no token volumes to inject; the plug-in would only get in the way.
      "--disable-admission-plugins=ServiceAccount",
      "--service-cluster-ip-range=10.0.0.0/24",
      "--profiling=false",
    ];
  },

  controllerManager(bin: ControlPlaneBinaries, paths: DevPaths, cluster: ClusterRecord): string[] {
    return [
      bin.kubeControllerManager,
      `--kubeconfig=${paths.controllerManagerKubeconfig(cluster.name)}`,
      "--leader-elect=false",
      "--port=0",
      "--secure-port=0",
      `--service-account-private-key-file=${paths.serviceAccountKey(cluster.name)}`,
      `--root-ca-file=${paths.servingCert(cluster.name)}`,
      `--controllers=${controllers.join(",")}`,
    ];
  },
};
