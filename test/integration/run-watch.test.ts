import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { connectCluster, type ConnectedCluster } from "../../src/kube/connect-cluster.js";
import { clusterStartTimeoutMs, clusters } from "../support/clusters.js";
import { repoRoot } from "../support/repo-root.js";
import { cliPath, runCli } from "../support/run-cli.js";

const templateRef = {
  apiVersion: "kube-bind.io/v1alpha2",
  kind: "APIServiceExportTemplate",
  name: "databases",
};

interface LogLine {
  time: number;
  msg: string;
}

describe("bindops run --watch: a saved file is reconciled within a second (real files, real API servers)", function () {
  this.timeout(180_000);
  let dir: string;
  let folder: string;
  let kubeconfigDir: string;
  let provider: ConnectedCluster;
  let child: ChildProcess | undefined;
  let stderr = "";
  const logs = (): LogLine[] =>
    stderr
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as LogLine);
  const waitFor = async (what: string, ok: () => boolean | Promise<boolean>, ms: number) => {
    const deadline = Date.now() + ms;
    while (!(await ok())) {
      assert.ok(Date.now() < deadline, `${what} within ${ms} ms; the log:\n${stderr}`);
      assert.equal(child?.exitCode ?? null, null, `still running:\n${stderr}`);
      await sleep(50);
    }
  };
  const description = async () =>
    ((await provider.client.get(templateRef)).spec as { description?: string }).description;

  before(async function () {
    this.timeout(clusterStartTimeoutMs);
    const c = await clusters();
    kubeconfigDir = path.dirname(c.provider.kubeconfigPath);
    provider = await connectCluster("provider", { kubeconfigDir, env: {} });
    dir = mkdtempSync(path.join(tmpdir(), "bindops-watch-"));
    // A working copy as someone edits it: not even a git repository.
    folder = path.join(dir, "bindings");
    cpSync(path.join(repoRoot, "examples"), folder, { recursive: true });
  });
  after(() => {
    child?.kill("SIGKILL");
    provider?.client.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("reconciles the folder, then each save, writes status/ without reacting to it, and stops on SIGTERM", async () => {
    child = spawn(
      process.execPath,
      [
        cliPath,
        "run",
        "--watch",
        "--repo",
        folder,
        "--interval",
        "600",
        "--kubeconfig-dir",
        kubeconfigDir,
        "--log-format",
        "json",
      ],
      { env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "ignore", "pipe"] },
    );
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const statusFile = path.join(folder, "status", "consumer", "orders-db.yaml");
    await waitFor(
      "the first reconcile",
      () => existsSync(statusFile) && logs().some((l) => l.msg.startsWith("reconciled")),
      150_000,
    );
    assert.match(readFileSync(statusFile, "utf8"), /phase: Bound/);
    assert.match(readFileSync(statusFile, "utf8"), /observedRevision: working-tree-[0-9a-f]{12}/);
    await sleep(1000);
    assert.ok(
      !logs().some((l) => l.msg.startsWith("saved")),
      "writing status/ is no save to reconcile",
    );

    const file = path.join(folder, "providers", "dbaas", "templates", "databases.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(/description: .*/, 'description: "saved in an editor"'),
    );
    const saved = Date.now();
    await waitFor("the save seen", () => logs().some((l) => l.msg.startsWith("saved")), 5_000);
    const seen = logs().find((l) => l.msg.startsWith("saved"))!;
    assert.match(seen.msg, /providers\/dbaas\/templates\/databases\.yaml/);
    assert.ok(seen.time - saved < 1_000, `seen ${seen.time - saved} ms after the save`);
    await waitFor(
      "the template applied",
      async () => (await description()) === "saved in an editor",
      10_000,
    );
    const applied = Date.now() - saved;
    process.stderr.write(`      (save to live template: ${applied} ms)\n`);

    child.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) => child!.once("exit", resolve));
    assert.equal(code, 0, stderr);
  });

  it("refuses --watch on anything but a local folder: a usage error", async () => {
    const result = await runCli(["run", "--watch", "--repo", "https://git.example.invalid/x.git"]);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /--watch needs a local folder/);
  });
});
