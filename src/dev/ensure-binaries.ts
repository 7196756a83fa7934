import { spawn } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import { BindopsError } from "../core/errors.js";
import {
  controlPlaneServers,
  etcdBinDir,
  kubernetesBinDir,
  type ServerName,
} from "./control-plane-servers.js";

/** Environment variables, as the CLI passes them in. */
export type Env = Readonly<Record<string, string | undefined>>;

export interface ControlPlaneBinaries {
  kubeApiserver: string;
  kubeControllerManager: string;
  etcd: string;
}

export interface EnsureBinariesOptions {
  /** `BINDOPS_CACHE_DIR`, else `~/.cache/bindops`; binaries live in `control-plane/<build>/bin`. */
  cacheDir: string;
  /** Which Kubernetes: `current` (the default) or `old` (1.20, for version-skew tests). */
  server?: ServerName;
  /** The build script's environment. */
  env: Env;
  logger: Logger;
  /** Build the binaries when the cache lacks them (minutes; see the script). Default true. */
  build?: boolean;
  /** Default: `scripts/build-control-plane.sh` of this package. */
  buildScript?: string;
  signal?: AbortSignal;
}

/** How to go on without a local control plane; every failure here carries it. */
export const useExistingClusterHint =
  "point bindops at existing clusters instead: --kubeconfig FILE with a context named like each " +
  "cluster (or KUBECONFIG), --kubeconfig-dir DIR holding <cluster>.kubeconfig, or " +
  "BINDOPS_KUBECONFIG_<NAME>=FILE for each cluster";

/**
 * Finds kube-apiserver, kube-controller-manager and etcd in the cache. When one is missing it runs
 * scripts/build-control-plane.sh, which builds them once per machine; the script's progress lines
 * go to the logger.
 *
 * Failures are `BindopsError`s of kind `unreachable` (exit 4), the kind for "a cluster cannot be
 * started or reached": the remedy is the same as for an unreachable cluster, to use another one,
 * and the hint says how. Codes: `control-plane-missing` (not cached and `build: false`),
 * `control-plane-build-failed` (the script failed: no Go, no network, no root for apt).
 */
export async function ensureBinaries(
  options: EnsureBinariesOptions,
): Promise<ControlPlaneBinaries> {
  const server = options.server ?? "current";
  let found = find(options.cacheDir, server);
  if (!found.kubeApiserver || !found.kubeControllerManager || !found.etcd) {
    if (options.build === false) {
      throw new BindopsError(
        "unreachable",
        "control-plane-missing",
        `the local control plane is not installed: ${describeMissing(found, options.cacheDir, server)}`,
        { hint: `run \`bindops dev up\` once to build it, or ${useExistingClusterHint}` },
      );
    }
    await runBuildScript(options, server);
    found = find(options.cacheDir, server);
  }
  const { kubeApiserver, kubeControllerManager, etcd } = found;
  if (!kubeApiserver || !kubeControllerManager || !etcd) {
    throw new BindopsError(
      "unreachable",
      "control-plane-build-failed",
      `the control-plane build finished but left no binaries: ${describeMissing(found, options.cacheDir, server)}`,
      { hint: useExistingClusterHint },
    );
  }
  return { kubeApiserver, kubeControllerManager, etcd };
}

type Found = { [K in keyof ControlPlaneBinaries]: string | undefined };

function find(cacheDir: string, server: ServerName): Found {
  const inDir = (dir: string, name: string) => {
    const file = path.join(dir, name);
    return isExecutable(file) ? file : undefined;
  };
  const kube = kubernetesBinDir(cacheDir, server);
  return {
    kubeApiserver: inDir(kube, "kube-apiserver"),
    kubeControllerManager: inDir(kube, "kube-controller-manager"),
    etcd: inDir(etcdBinDir(cacheDir), "etcd"),
  };
}

function describeMissing(found: Found, cacheDir: string, server: ServerName): string {
  const kube = [
    found.kubeApiserver ? undefined : "kube-apiserver",
    found.kubeControllerManager ? undefined : "kube-controller-manager",
  ].filter((n) => n !== undefined);
  const { version } = controlPlaneServers[server];
  return [
    kube.length > 0
      ? `${kube.join(" and ")} ${version} not in ${kubernetesBinDir(cacheDir, server)}`
      : undefined,
    found.etcd ? undefined : `etcd not in ${etcdBinDir(cacheDir)}`,
  ]
    .filter((n) => n !== undefined)
    .join("; ");
}

async function runBuildScript(options: EnsureBinariesOptions, server: ServerName): Promise<void> {
  const script =
    options.buildScript ??
    fileURLToPath(new URL("../../scripts/build-control-plane.sh", import.meta.url));
  if (!existsSync(script)) {
    throw new BindopsError(
      "unreachable",
      "control-plane-build-failed",
      `cannot build the control plane: ${script} is missing`,
      { hint: useExistingClusterHint },
    );
  }
  const { version } = controlPlaneServers[server];
  options.logger.info(
    `preparing the local control plane: etcd, kube-apiserver and kube-controller-manager ` +
      `${version} are built once per machine (10-25 minutes, then cached)`,
  );
  const child = spawn("bash", [script, server], {
    env: { ...options.env, BINDOPS_CACHE_DIR: options.cacheDir },
    stdio: ["ignore", "ignore", "pipe"],
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const recent: string[] = [];
  const lines = createInterface({ input: child.stderr });
  lines.on("line", (line) => {
    const text = line.replace(/^\[control-plane\] ?/, "");
    recent.push(text);
    if (recent.length > 8) recent.shift();
    options.logger.info(text);
  });
  const outcome = await new Promise<{ code: number | null; error?: unknown }>((resolve) => {
    child.once("error", (error) => resolve({ code: null, error }));
    child.once("close", (code) => resolve({ code }));
  });
  options.signal?.throwIfAborted();
  if (outcome.code !== 0) {
    const last = recent.filter((l) => l.trim().length > 0).slice(-3);
    throw new BindopsError(
      "unreachable",
      "control-plane-build-failed",
      `building the local control plane failed` +
        (last.length > 0 ? `:\n  ${last.join("\n  ")}` : ""),
      {
        hint:
          server === "current"
            ? `the build needs Go 1.26 or newer and the Go module proxy; otherwise ${useExistingClusterHint}`
            : `the build needs root and apt (Debian bookworm); otherwise ${useExistingClusterHint}`,
        cause: outcome.error,
      },
    );
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
