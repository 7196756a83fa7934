import { spawn } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import { BindopsError } from "../core/errors.js";

/** The build recipe's key; must match VERSION-RECIPE in scripts/build-control-plane.sh. */
export const controlPlaneBuild = "1.20.2-r1";

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
  /** The build script's environment; its `PATH` also finds `etcd`. */
  env: Env;
  logger: Logger;
  /** Build the binaries when the cache lacks them (minutes, needs root and apt). Default true. */
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
 * Finds kube-apiserver, kube-controller-manager and etcd. When one is missing it runs
 * scripts/build-control-plane.sh, which builds the first two once per machine and installs etcd;
 * the script's progress lines go to the logger.
 *
 * Failures are `BindopsError`s of kind `unreachable` (exit 4), the kind for "a cluster cannot be
 * started or reached": the remedy is the same as for an unreachable cluster, to use another one,
 * and the hint says how. Codes: `control-plane-missing` (not cached and `build: false`),
 * `control-plane-build-failed` (the script failed, typically no root or no apt), `etcd-missing`.
 */
export async function ensureBinaries(
  options: EnsureBinariesOptions,
): Promise<ControlPlaneBinaries> {
  const binDir = path.join(options.cacheDir, "control-plane", controlPlaneBuild, "bin");
  let found = find(binDir, options.env);
  if (!found.kubeApiserver || !found.kubeControllerManager || !found.etcd) {
    if (options.build === false) {
      throw new BindopsError(
        "unreachable",
        "control-plane-missing",
        `the local control plane is not installed: ${describeMissing(found, binDir)}`,
        { hint: `run \`bindops dev up\` once to build it, or ${useExistingClusterHint}` },
      );
    }
    // The script also installs etcd when it is missing, even with the binaries cached.
    await runBuildScript(options);
    found = find(binDir, options.env);
  }
  const { kubeApiserver, kubeControllerManager, etcd } = found;
  if (!kubeApiserver || !kubeControllerManager) {
    throw new BindopsError(
      "unreachable",
      "control-plane-build-failed",
      `the control-plane build finished but left no binaries in ${binDir}`,
      { hint: useExistingClusterHint },
    );
  }
  if (!etcd) {
    throw new BindopsError("unreachable", "etcd-missing", "etcd is not installed (not on PATH)", {
      hint: `install it (Debian: apt-get install etcd-server), or ${useExistingClusterHint}`,
    });
  }
  return { kubeApiserver, kubeControllerManager, etcd };
}

type Found = { [K in keyof ControlPlaneBinaries]: string | undefined };

function find(binDir: string, env: Env): Found {
  const inBin = (name: string) => {
    const file = path.join(binDir, name);
    return isExecutable(file) ? file : undefined;
  };
  return {
    kubeApiserver: inBin("kube-apiserver"),
    kubeControllerManager: inBin("kube-controller-manager"),
    etcd: [binDir, ...(env.PATH ?? "").split(path.delimiter)]
      .filter((dir) => dir.length > 0)
      .map((dir) => path.join(dir, "etcd"))
      .find(isExecutable),
  };
}

function describeMissing(found: Found, binDir: string): string {
  const kube = [
    found.kubeApiserver ? undefined : "kube-apiserver",
    found.kubeControllerManager ? undefined : "kube-controller-manager",
  ].filter((n) => n !== undefined);
  return [
    kube.length > 0 ? `${kube.join(" and ")} ${controlPlaneBuild} not in ${binDir}` : undefined,
    found.etcd ? undefined : "etcd not on PATH",
  ]
    .filter((n) => n !== undefined)
    .join("; ");
}

async function runBuildScript(options: EnsureBinariesOptions): Promise<void> {
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
  options.logger.info(
    `preparing the local control plane: kube-apiserver and kube-controller-manager ` +
      `${controlPlaneBuild} are built once per machine (5-10 minutes, then cached)`,
  );
  const child = spawn("bash", [script], {
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
        hint: `the build needs root and apt (Debian or Ubuntu); otherwise ${useExistingClusterHint}`,
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
