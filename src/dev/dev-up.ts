import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { pid } from "node:process";
import { BindopsError } from "../core/errors.js";
import { withStateLock } from "./with-state-lock.js";
import { controlPlaneArgs, devAuditPolicy } from "./control-plane-args.js";
import { devCluster, writeKubeconfig, type DevCluster } from "./dev-cluster.js";
import { devPaths, type DevPaths } from "./dev-paths.js";
import { loadKubeConfig } from "../kube/load-kube-config.js";
import { probeApiServer } from "../kube/probe-api-server.js";
import { RestKubeClient } from "../kube/rest-kube-client.js";
import { controlPlaneServers, type ServerName } from "./control-plane-servers.js";
import { ensureDevPki } from "./dev-pki.js";
import {
  readDevState,
  writeDevState,
  type ClusterRecord,
  type DevState,
  type ProcessRecord,
} from "./dev-state.js";
import { ensureBinaries, type Env } from "./ensure-binaries.js";
import { freePorts } from "./free-ports.js";
import { runningProcess } from "./running-process.js";
import { spawnDetached } from "./spawn-detached.js";
import { waitUntilReady } from "./wait-until-ready.js";

/** The clusters `dev up` starts when none are named. */
export const defaultDevClusters: readonly string[] = ["provider", "consumer"];

export interface DevUpOptions {
  /** Absolute path of the state folder (created when missing). */
  stateDir: string;
  /** Default `provider`, `consumer`. */
  clusters?: readonly string[];
  /** `current` (the default) or `old` (Kubernetes 1.20, for version-skew tests). */
  server?: ServerName;
  /** See `ensureBinaries`. */
  cacheDir: string;
  env: Env;
  logger: Logger;
  /** Build missing binaries (minutes). Default true. */
  build?: boolean;
  buildScript?: string;
  /** How long each process may take to become ready. Default 90 s. */
  readyTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface DevUpResult {
  stateDir: string;
  server: ServerName;
  /** The Kubernetes version the clusters run. */
  version: string;
  /** The requested clusters, in the requested order. */
  clusters: DevCluster[];
  /** The processes this call started; empty when everything was already running. */
  started: string[];
}

const clusterName = /^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/;

/**
 * Starts (or reuses) a local control plane: one etcd, and per cluster a kube-apiserver and a
 * kube-controller-manager, all detached so they outlive this process; writes
 * `<state>/<cluster>.kubeconfig` for each. Idempotent: what runs is reused and only what is
 * missing is started, with the same ports, keys and tokens as before. Every process started is
 * recorded in `<state>/state.json` before it is waited for, so `devDown` can stop it even when
 * this call fails.
 */
export async function devUp(options: DevUpOptions): Promise<DevUpResult> {
  const names = checkClusterNames(options.clusters ?? defaultDevClusters);
  return withStateLock(options.stateDir, pid, () => up(options, names));
}

async function up(options: DevUpOptions, names: string[]): Promise<DevUpResult> {
  const paths = devPaths(options.stateDir);
  const log = options.logger;
  const timeoutMs = options.readyTimeoutMs ?? 90_000;
  const signal = options.signal;
  const server = options.server ?? "current";
  await checkStateDir(paths);
  const existing = await readDevState(paths.stateFile);
  checkStateServer(paths, existing, server);
  const bin = await ensureBinaries({
    cacheDir: options.cacheDir,
    server,
    env: options.env,
    logger: log,
    ...(options.build === undefined ? {} : { build: options.build }),
    ...(options.buildScript === undefined ? {} : { buildScript: options.buildScript }),
    ...(signal ? { signal } : {}),
  });

  for (const dir of [paths.stateDir, paths.logsDir, paths.clustersDir]) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  }
  // The state holds admin tokens; inside a git checkout it must never be committed.
  await writeFile(path.join(paths.stateDir, ".gitignore"), "*\n", { mode: 0o600 });
  const state = await loadOrCreateState(paths, names, existing, server);
  const save = () => writeDevState(paths.stateFile, state);
  await save();
  await ensureDevPki(paths, names);
  // The servers get a minimal environment: nothing of the caller's (CI tokens, kubeconfigs).
  const daemonEnv = Object.fromEntries(
    (["PATH", "LANG", "TZ"] as const).flatMap((k) => {
      const value = options.env[k];
      return value === undefined ? [] : [[k, value]];
    }),
  );
  const starter = new Starter(paths, log, save, timeoutMs, signal, daemonEnv);

  const etcdHealth = `http://127.0.0.1:${state.etcd.metricsPort}/health`;
  await starter.ensureReady({
    name: "etcd",
    what: "etcd",
    argv: controlPlaneArgs.etcd(bin, paths, state),
    current: () => state.etcd.process,
    record: (r) => (state.etcd.process = r),
    probe: async (attempt) => {
      const res = await fetch(etcdHealth, { signal: attempt });
      return ((await res.json()) as { health?: unknown }).health === "true";
    },
  });

  const records = names.map((name) => state.clusters.find((c) => c.name === name)!);
  // Kubeconfigs first: they trust the local CA, so the probes below use them as any client would.
  const clusters = await Promise.all(
    records.map(async (record) => {
      const cluster = await devCluster(paths, record);
      await writeFile(paths.auditPolicy(record.name), devAuditPolicy, { mode: 0o644 });
      await writeKubeconfig(paths.controllerManagerKubeconfig(record.name), cluster);
      await writeKubeconfig(cluster.kubeconfigPath, cluster);
      return cluster;
    }),
  );
  const kubeConfigOf = (cluster: DevCluster) =>
    loadKubeConfig({ from: "kubeconfig-dir", cluster: cluster.name, file: cluster.kubeconfigPath });
  await Promise.all(
    records.map((record, i) =>
      starter.ensureReady({
        name: `${record.name}-apiserver`,
        what: `kube-apiserver of cluster "${record.name}"`,
        argv: controlPlaneArgs.apiserver(bin, paths, state, record),
        current: () => record.apiserver,
        record: (r) => (record.apiserver = r),
        probe: (attempt) => probeApiServer(kubeConfigOf(clusters[i]!), { signal: attempt }),
      }),
    ),
  );
  await Promise.all(
    records.map((record, i) =>
      starter.ensureReady({
        name: `${record.name}-controller-manager`,
        what: `kube-controller-manager of cluster "${record.name}"`,
        argv: controlPlaneArgs.controllerManager(bin, paths, server, record),
        current: () => record.controllerManager,
        record: (r) => (record.controllerManager = r),
        // The default ServiceAccount proves the controller manager connected and runs its
        // controllers.
        probe: async (attempt) => {
          const client = new RestKubeClient(kubeConfigOf(clusters[i]!), {
            requestTimeoutMs: 5_000,
          });
          try {
            await client.get(
              { apiVersion: "v1", kind: "ServiceAccount", namespace: "default", name: "default" },
              { signal: attempt },
            );
            return true;
          } finally {
            client.close();
          }
        },
      }),
    ),
  );
  return {
    stateDir: paths.stateDir,
    server,
    version: controlPlaneServers[server].version,
    clusters,
    started: starter.started,
  };
}

interface ProcessSpec {
  /** The process's name in the state file and its log's. */
  name: string;
  /** How messages name it. */
  what: string;
  argv: string[];
  current: () => ProcessRecord | undefined;
  record: (r: ProcessRecord) => void;
  probe: (signal: AbortSignal) => Promise<boolean>;
}

/** Starts what is not running, records it, and waits until it is ready. */
class Starter {
  readonly started: string[] = [];
  /** Saves run one at a time: clusters start concurrently and share one state file. */
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly paths: DevPaths,
    private readonly log: Logger,
    private readonly save: () => Promise<void>,
    private readonly timeoutMs: number,
    private readonly signal: AbortSignal | undefined,
    private readonly env: Record<string, string>,
  ) {}

  async ensureReady(spec: ProcessSpec): Promise<void> {
    const current = spec.current();
    if (current && runningProcess(current)) {
      this.log.debug(`${spec.name} is running (pid ${current.pid})`);
      try {
        await this.wait(spec, current);
        return;
      } catch (error) {
        // A process found running may have been on its way out (an API server takes up to a
        // minute to stop while clients hold watches): once it is gone, start it afresh.
        if (runningProcess(current)) throw error;
        this.log.info(`${spec.name} (pid ${current.pid}) stopped; starting it again`);
      }
    }
    const spawned = await spawnDetached({
      name: spec.name,
      argv: spec.argv,
      logPath: this.paths.log(spec.name),
      cwd: this.paths.stateDir,
      env: this.env,
    });
    spec.record(spawned.record);
    this.saving = this.saving.then(this.save);
    await this.saving;
    this.started.push(spec.name);
    this.log.info(
      `started ${spec.name} (pid ${spawned.record.pid}), log ${spawned.record.logPath}`,
    );
    await this.wait(spec, spawned.record, spawned.exited);
  }

  private async wait(spec: ProcessSpec, process: ProcessRecord, exited?: Promise<string>) {
    await waitUntilReady(spec.probe, {
      what: spec.what,
      process,
      ...(exited ? { exited } : {}),
      timeoutMs: this.timeoutMs,
      ...(this.signal ? { signal: this.signal } : {}),
    });
  }
}

function checkClusterNames(names: readonly string[]): string[] {
  if (names.length === 0) {
    throw new BindopsError("usage", "dev-no-clusters", "name at least one cluster");
  }
  for (const name of names) {
    if (!clusterName.test(name)) {
      throw new BindopsError(
        "usage",
        "dev-bad-cluster-name",
        `"${name}" is not a usable cluster name`,
        {
          hint: "use lower-case letters, digits and '-', starting and ending with a letter or digit",
        },
      );
    }
  }
  if (new Set(names).size !== names.length) {
    throw new BindopsError(
      "usage",
      "dev-duplicate-cluster",
      `a cluster is named twice in ${names.join(",")}`,
    );
  }
  return [...names];
}

/** What a first `up` creates before it records any state; an interrupted one may leave them. */
const preStateEntries = new Set([
  "logs",
  "clusters",
  "pki",
  "gitops",
  "state.json.tmp",
  ".gitignore",
]);

/**
 * Refuses a folder that holds anything `dev up` did not put there, so that `dev down --purge`
 * never has user files to lose.
 */
async function checkStateDir(paths: DevPaths): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(paths.stateDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  if (!entries.includes("state.json") && entries.some((e) => !preStateEntries.has(e))) {
    throw new BindopsError(
      "usage",
      "dev-state-dir-not-empty",
      `${paths.stateDir} already holds other files`,
      { hint: "choose an empty or new folder with --state-dir" },
    );
  }
}

/**
 * Refuses a state folder of another server (its etcd data belongs to that version) or of an
 * earlier bindops (plain-http etcd, self-signed API servers).
 */
function checkStateServer(paths: DevPaths, state: DevState | undefined, server: ServerName): void {
  if (!state) return;
  const down = `bindops dev down --purge --state-dir ${paths.stateDir}`;
  if (state.version !== 2) {
    throw new BindopsError(
      "usage",
      "dev-state-outdated",
      `${paths.stateDir} was made by an earlier bindops, whose control plane this one does not start`,
      { hint: `run \`${down}\`, then \`bindops dev up\` again` },
    );
  }
  if (state.server !== server) {
    const have = controlPlaneServers[state.server].version;
    const want = controlPlaneServers[server].version;
    throw new BindopsError(
      "usage",
      "dev-state-other-server",
      `${paths.stateDir} holds clusters of Kubernetes ${have}, not ${want}`,
      { hint: `run \`${down}\` first, or choose another --state-dir` },
    );
  }
}

async function loadOrCreateState(
  paths: DevPaths,
  names: string[],
  existing: DevState | undefined,
  server: ServerName,
): Promise<DevState> {
  const missing = names.filter((n) => !existing?.clusters.some((c) => c.name === n));
  const taken = new Set(
    existing
      ? [
          existing.etcd.clientPort,
          existing.etcd.peerPort,
          existing.etcd.metricsPort,
          ...existing.clusters.map((c) => c.port),
        ]
      : [],
  );
  const ports = (await freePorts(missing.length + (existing ? 0 : 3) + taken.size)).filter(
    (p) => !taken.has(p),
  );
  const next = () => {
    const port = ports.shift();
    if (port === undefined) throw new Error("ran out of free ports");
    return port;
  };
  const state: DevState = existing ?? {
    version: 2,
    server,
    etcd: { clientPort: next(), peerPort: next(), metricsPort: next() },
    clusters: [],
  };
  for (const name of missing) state.clusters.push(await createCluster(paths, name, next()));
  return state;
}

/** The cluster's fixed material: service-account key pair and admin token, made once. */
async function createCluster(paths: DevPaths, name: string, port: number): Promise<ClusterRecord> {
  await mkdir(paths.certDir(name), { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  await writeFile(paths.serviceAccountKey(name), privateKey, { mode: 0o600 });
  await writeFile(paths.serviceAccountPublicKey(name), publicKey, { mode: 0o644 });
  const token = randomBytes(32).toString("hex");
  const line = `${token},bindops-admin,bindops-admin,"system:masters"\n`;
  await writeFile(paths.tokenFile(name), line, { mode: 0o600 });
  return { name, port, token };
}
