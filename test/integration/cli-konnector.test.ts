import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { clusterStartTimeoutMs, clusters } from "../support/clusters.js";
import { cliPath, runCli } from "../support/run-cli.js";

describe("bindops konnector (CLI, real API server)", function () {
  this.timeout(120_000);
  let kubeconfigDir: string;

  before(async function () {
    this.timeout(clusterStartTimeoutMs);
    kubeconfigDir = path.dirname((await clusters()).consumer.kubeconfigPath);
  });

  it("runs on the consumer until SIGTERM, then finishes its work and exits 0", async () => {
    const child = spawn(
      process.execPath,
      [cliPath, "konnector", "--kubeconfig-dir", kubeconfigDir, "--log-format", "json"],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const deadline = Date.now() + 60_000;
    while (
      !stderr.includes("konnector starting") &&
      Date.now() < deadline &&
      child.exitCode === null
    ) {
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.match(
      stderr,
      /konnector starting on https:\/\/127\.0\.0\.1:\d+ \(Kubernetes v1\.37\.2\)/,
    );
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    assert.equal(code, 0, stderr);
    assert.match(stderr, /konnector stopped/);
  });

  it("exits 3 naming the cluster when its credentials cannot be found", async () => {
    const result = await runCli([
      "konnector",
      "--cluster",
      "nowhere",
      "--kubeconfig-dir",
      kubeconfigDir,
    ]);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /nowhere/);
  });

  it("documents what it syncs in --help", async () => {
    const result = await runCli(["konnector", "--help"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Nothing else crosses/);
    assert.match(result.stdout, /--no-install-crds/);
  });
});
