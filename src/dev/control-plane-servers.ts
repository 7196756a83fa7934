import path from "node:path";

/** The two local control planes `dev up` can start. */
export type ServerName = "current" | "old";

/** One build of scripts/build-control-plane.sh: what it is and where its binaries are cached. */
export interface ControlPlaneBuild {
  version: string;
  /** Bumped when the recipe changes, so caches rebuild. */
  recipe: string;
}

/**
 * The builds of scripts/build-control-plane.sh; its CURRENT_*, OLD_* and ETCD_* variables must
 * say the same (a unit test holds them together).
 */
export const controlPlaneServers: Readonly<Record<ServerName, ControlPlaneBuild>> = {
  /** A current Kubernetes, built from the k8s.io/kubernetes Go module. The default. */
  current: { version: "1.37.2", recipe: "r1" },
  /** Kubernetes 1.20 from Debian's source package, for version-skew tests. */
  old: { version: "1.20.2", recipe: "r2" },
};

/** etcd, built from its Go modules; both servers use it. */
export const etcdBuild: ControlPlaneBuild = { version: "3.6.16", recipe: "r1" };

/** Where a server's kube-apiserver and kube-controller-manager are cached. */
export function kubernetesBinDir(cacheDir: string, server: ServerName): string {
  const { version, recipe } = controlPlaneServers[server];
  return path.join(cacheDir, "control-plane", `kubernetes-${version}-${recipe}`, "bin");
}

/** Where etcd is cached. */
export function etcdBinDir(cacheDir: string): string {
  return path.join(
    cacheDir,
    "control-plane",
    `etcd-${etcdBuild.version}-${etcdBuild.recipe}`,
    "bin",
  );
}

/**
 * The server `--kubernetes-version` names: `current`, `old`, or a version (`1.37.2`, `1.37`,
 * `v1.20.2`); `undefined` when no server matches.
 */
export function serverForVersion(requested: string): ServerName | undefined {
  const wanted = requested.trim().replace(/^v/, "");
  if (wanted === "current" || wanted === "old") return wanted;
  for (const name of ["current", "old"] as const) {
    const { version } = controlPlaneServers[name];
    if (version === wanted || version.startsWith(`${wanted}.`)) return name;
  }
  return undefined;
}
