import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { controlPlaneServers } from "../../src/dev/control-plane-servers.js";
import { devRequest } from "../support/dev-request.js";
import { clusterStartTimeoutMs } from "../support/clusters.js";
import { repoRoot } from "../support/repo-root.js";

const run = promisify(execFile);
const main = path.join(repoRoot, "dist", "cli", "main.js");

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function bindops(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [main, ...args], {
      cwd: repoRoot,
      // A secret in the caller's environment must not reach the servers `dev up` starts.
      env: { ...process.env, BINDOPS_TEST_CALLER_SECRET: "do-not-inherit" },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== "number") throw error;
    return { code: e.code, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile())
      newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** The pids recorded in the state file. */
function recordedPids(stateDir: string): number[] {
  const state = JSON.parse(readFileSync(path.join(stateDir, "state.json"), "utf8")) as {
    etcd: { process?: { pid: number } };
    clusters: { apiserver?: { pid: number }; controllerManager?: { pid: number } }[];
  };
  return [state.etcd.process, ...state.clusters.flatMap((c) => [c.apiserver, c.controllerManager])]
    .filter((p) => p !== undefined)
    .map((p) => p.pid);
}

/** Alive and still one of ours: its command line mentions the state folder (a zombie has none). */
function alive(pid: number, stateDir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(stateDir);
  } catch {
    return false;
  }
}

describe("bindops dev up / status / down (the built CLI)", function () {
  let dir: string;
  let stateDir: string;
  let firstPids: number[] = [];

  before(function () {
    this.timeout(180_000);
    // `npm test` builds first; when run alone, rebuild only what is stale.
    if (!existsSync(main) || newestMtime(path.join(repoRoot, "src")) > statSync(main).mtimeMs) {
      return run(
        path.join(repoRoot, "node_modules", ".bin", "tsc"),
        ["-p", "tsconfig.build.json"],
        {
          cwd: repoRoot,
        },
      ).then(() => undefined);
    }
    return undefined;
  });
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "bindops-cli-"));
    stateDir = path.join(dir, "dev");
  });
  after(async function () {
    this.timeout(60_000);
    if (existsSync(path.join(stateDir, "state.json")))
      await bindops("dev", "down", "--state-dir", stateDir, "--purge");
    rmSync(dir, { recursive: true, force: true });
  });

  it("starts both clusters and prints their kubeconfigs as shell exports", async function () {
    this.timeout(clusterStartTimeoutMs);
    const up = await bindops("dev", "up", "--state-dir", stateDir);
    assert.equal(up.code, 0, up.stderr);
    const exports = Object.fromEntries(
      [...up.stdout.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]),
    );
    assert.deepEqual(exports, {
      BINDOPS_KUBECONFIG_PROVIDER: path.join(stateDir, "provider.kubeconfig"),
      BINDOPS_KUBECONFIG_CONSUMER: path.join(stateDir, "consumer.kubeconfig"),
    });
    // Every other line is a shell comment, so `eval "$(bindops dev up)"` works.
    for (const line of up.stdout.trim().split("\n")) assert.match(line, /^(#|export )/);
    firstPids = recordedPids(stateDir);
    assert.equal(firstPids.length, 5);
    for (const pid of firstPids) assert.ok(alive(pid, stateDir), `pid ${pid} should run`);
  });

  it("keeps its state out of git and the caller's environment out of the servers", () => {
    assert.equal(readFileSync(path.join(stateDir, ".gitignore"), "utf8"), "*\n");
    for (const pid of firstPids) {
      const environ = readFileSync(`/proc/${pid}/environ`, "utf8");
      assert.doesNotMatch(environ, /BINDOPS_TEST_CALLER_SECRET/, `pid ${pid}`);
    }
  });

  it("answers with the printed kubeconfig's server, token and CA", async () => {
    const kubeconfig = readFileSync(path.join(stateDir, "provider.kubeconfig"), "utf8");
    const server = /server: (\S+)/.exec(kubeconfig)![1]!;
    const token = /token: (\S+)/.exec(kubeconfig)![1]!;
    const caData = /certificate-authority-data: (\S+)/.exec(kubeconfig)![1]!;
    const ca = Buffer.from(caData, "base64").toString("utf8");
    const res = await devRequest({ server, token, ca }, { path: "/api/v1/namespaces" });
    assert.equal(res.status, 200, res.text);
  });

  it("reuses the running processes on a second up, printing the same kubeconfigs", async function () {
    this.timeout(60_000);
    const kubeconfig = readFileSync(path.join(stateDir, "consumer.kubeconfig"), "utf8");
    const again = await bindops("dev", "up", "--state-dir", stateDir);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /already running/);
    assert.deepEqual(recordedPids(stateDir), firstPids);
    assert.equal(readFileSync(path.join(stateDir, "consumer.kubeconfig"), "utf8"), kubeconfig);
  });

  it("refuses to start another Kubernetes on the running one's state (exit 3), touching nothing", async () => {
    const other = await bindops(
      "dev",
      "up",
      "--state-dir",
      stateDir,
      "--kubernetes-version",
      controlPlaneServers.old.version,
    );
    assert.equal(other.code, 3, other.stderr);
    assert.match(
      other.stderr,
      new RegExp(
        `holds clusters of Kubernetes ${controlPlaneServers.current.version.replace(/\./g, "\\.")}`,
      ),
    );
    assert.match(other.stderr, /dev down --purge/);
    assert.deepEqual(recordedPids(stateDir), firstPids);
  });

  it("refuses a Kubernetes version it cannot run (exit 3), naming the ones it can", async () => {
    const bad = await bindops(
      "dev",
      "up",
      "--state-dir",
      path.join(dir, "unknown-version"),
      "--kubernetes-version",
      "1.99",
    );
    assert.equal(bad.code, 3, bad.stderr);
    assert.match(bad.stderr, /no local control plane of Kubernetes 1\.99/);
    assert.ok(bad.stderr.includes(controlPlaneServers.current.version), bad.stderr);
    assert.equal(existsSync(path.join(dir, "unknown-version")), false);
  });

  it("reports every process as running", async () => {
    const status = await bindops("dev", "status", "--state-dir", stateDir);
    assert.equal(status.code, 0, status.stderr);
    assert.match(
      status.stdout,
      new RegExp(`^Kubernetes ${controlPlaneServers.current.version}$`, "m"),
    );
    for (const name of [
      "etcd",
      "provider-apiserver",
      "provider-controller-manager",
      "consumer-apiserver",
      "consumer-controller-manager",
    ]) {
      assert.match(status.stdout, new RegExp(`^${name} +running +pid \\d+`, "m"));
    }
    assert.ok(status.stdout.includes(path.join(stateDir, "consumer.kubeconfig")));
  });

  it("stops exactly the recorded processes on down, after which status exits 4", async function () {
    this.timeout(60_000);
    const down = await bindops("dev", "down", "--state-dir", stateDir);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, /stopped 5 processes/);
    for (const pid of firstPids) assert.equal(alive(pid, stateDir), false, `pid ${pid} still runs`);
    const status = await bindops("dev", "status", "--state-dir", stateDir);
    assert.equal(status.code, 4);
    assert.match(status.stdout, /^etcd +stopped$/m);
    // The kubeconfigs stay for the next up, which keeps ports and tokens.
    assert.ok(existsSync(path.join(stateDir, "provider.kubeconfig")));
  });

  it("deletes the state folder on down --purge", async () => {
    const purge = await bindops("dev", "down", "--state-dir", stateDir, "--purge");
    assert.equal(purge.code, 0, purge.stderr);
    assert.equal(existsSync(stateDir), false);
  });

  it("refuses a cluster name that is not a DNS label (exit 3), starting nothing", async () => {
    const bad = await bindops(
      "dev",
      "up",
      "--state-dir",
      stateDir,
      "--clusters",
      "provider,Bad_Name",
    );
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /"Bad_Name" is not a usable cluster name/);
    assert.equal(existsSync(stateDir), false);
  });

  it("refuses a state folder that holds other files (exit 3), touching nothing", async () => {
    const busy = path.join(dir, "busy");
    mkdirSync(busy);
    writeFileSync(path.join(busy, "notes.txt"), "mine\n");
    const up = await bindops("dev", "up", "--state-dir", busy);
    assert.equal(up.code, 3);
    assert.match(up.stderr, /already holds other files/);
    assert.deepEqual(readdirSync(busy), ["notes.txt"]);
  });

  it("says nothing runs in a folder where up never ran (status exit 4, down exit 0)", async () => {
    const status = await bindops("dev", "status", "--state-dir", path.join(dir, "never"));
    assert.equal(status.code, 4);
    assert.match(status.stdout, /no local control plane/);
    const down = await bindops("dev", "down", "--state-dir", path.join(dir, "never"));
    assert.equal(down.code, 0);
    assert.match(down.stdout, /nothing to stop/);
  });
});
