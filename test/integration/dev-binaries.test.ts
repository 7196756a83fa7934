import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { BindopsError } from "../../src/core/errors.js";
import {
  controlPlaneServers,
  etcdBinDir,
  kubernetesBinDir,
} from "../../src/dev/control-plane-servers.js";
import { ensureBinaries } from "../../src/dev/ensure-binaries.js";

/** A logger whose messages the test can read. */
function recordingLogger(): { logger: pino.Logger; messages: string[] } {
  const messages: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n").filter(Boolean)) {
        messages.push((JSON.parse(line) as { msg: string }).msg);
      }
      done();
    },
  });
  return { logger: pino({ level: "info" }, stream), messages };
}

function executable(file: string, text: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  chmodSync(file, 0o755);
  return file;
}

describe("control-plane binaries", () => {
  let dir: string;
  let cacheDir: string;
  let env: Record<string, string>;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "bindops-bin-"));
    cacheDir = path.join(dir, "cache");
    // bash and coreutils for the scripts.
    env = { PATH: "/usr/bin:/bin" };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const binDir = () => kubernetesBinDir(cacheDir, "current");
  const etcdDir = () => etcdBinDir(cacheDir);

  it("builds what the cache lacks into BINDOPS_CACHE_DIR, logging the build's progress", async () => {
    const script = executable(
      path.join(dir, "build.sh"),
      `#!/usr/bin/env bash
set -e
[ "$1" = current ] || { echo "asked for $1" >&2; exit 1; }
echo "[control-plane] compiling kube-apiserver" >&2
bin="${binDir()}"
mkdir -p "$bin" "${etcdDir()}"
for b in kube-apiserver kube-controller-manager; do printf '#!/bin/sh\\n' >"$bin/$b"; chmod +x "$bin/$b"; done
printf '#!/bin/sh\\n' >"${etcdDir()}/etcd"; chmod +x "${etcdDir()}/etcd"
`,
    );
    const { logger, messages } = recordingLogger();
    const bin = await ensureBinaries({ cacheDir, env, logger, buildScript: script });
    assert.deepEqual(bin, {
      kubeApiserver: path.join(binDir(), "kube-apiserver"),
      kubeControllerManager: path.join(binDir(), "kube-controller-manager"),
      etcd: path.join(etcdDir(), "etcd"),
    });
    assert.ok(messages.includes("compiling kube-apiserver"), messages.join("\n"));
    assert.ok(
      messages.some((m) => m.includes(controlPlaneServers.current.version)),
      messages.join("\n"),
    );
  });

  it("asks the script for the old server when told to, and finds it apart from the current one", async () => {
    const script = executable(
      path.join(dir, "build.sh"),
      `#!/usr/bin/env bash
set -e
[ "$1" = old ] || { echo "asked for $1" >&2; exit 1; }
bin="${kubernetesBinDir(cacheDir, "old")}"
mkdir -p "$bin" "${etcdDir()}"
for b in kube-apiserver kube-controller-manager; do printf '#!/bin/sh\\n' >"$bin/$b"; chmod +x "$bin/$b"; done
printf '#!/bin/sh\\n' >"${etcdDir()}/etcd"; chmod +x "${etcdDir()}/etcd"
`,
    );
    const bin = await ensureBinaries({
      cacheDir,
      env,
      server: "old",
      logger: pino({ level: "silent" }),
      buildScript: script,
    });
    assert.equal(bin.kubeApiserver, path.join(kubernetesBinDir(cacheDir, "old"), "kube-apiserver"));
    assert.notEqual(kubernetesBinDir(cacheDir, "old"), binDir());
  });

  it("uses cached binaries without running the build", async () => {
    executable(path.join(etcdDir(), "etcd"), "#!/bin/sh\n");
    executable(path.join(binDir(), "kube-apiserver"), "#!/bin/sh\n");
    executable(path.join(binDir(), "kube-controller-manager"), "#!/bin/sh\n");
    const script = executable(path.join(dir, "build.sh"), "#!/bin/sh\nexit 1\n");
    const bin = await ensureBinaries({
      cacheDir,
      env,
      logger: pino({ level: "silent" }),
      buildScript: script,
    });
    assert.equal(bin.kubeApiserver, path.join(binDir(), "kube-apiserver"));
  });

  it("turns a failed build into exit 4 with a hint to use an existing cluster", async () => {
    const script = executable(
      path.join(dir, "build.sh"),
      `#!/bin/sh
echo "[control-plane] error: Go 1.26 or newer is needed to build the control plane" >&2
exit 1
`,
    );
    const { logger } = recordingLogger();
    await assert.rejects(
      ensureBinaries({ cacheDir, env, logger, buildScript: script }),
      (error: unknown) => {
        assert.ok(error instanceof BindopsError);
        assert.equal(error.code, "control-plane-build-failed");
        assert.equal(error.exitCode, 4);
        assert.match(error.message, /Go 1\.26 or newer is needed/);
        assert.match(error.hint ?? "", /--kubeconfig/);
        assert.match(error.hint ?? "", /KUBECONFIG/);
        assert.match(error.hint ?? "", /BINDOPS_KUBECONFIG_<NAME>/);
        return true;
      },
    );
  });

  it("does not build when told not to, and says what is missing", async () => {
    const marker = path.join(dir, "ran");
    const script = executable(path.join(dir, "build.sh"), `#!/bin/sh\ntouch ${marker}\n`);
    await assert.rejects(
      ensureBinaries({
        cacheDir,
        env: { PATH: "/nonexistent" },
        logger: pino({ level: "silent" }),
        build: false,
        buildScript: script,
      }),
      (error: unknown) => {
        assert.ok(error instanceof BindopsError);
        assert.equal(error.code, "control-plane-missing");
        assert.match(error.message, /kube-apiserver and kube-controller-manager/);
        assert.match(error.message, /etcd not in /);
        return true;
      },
    );
    assert.equal(existsSync(marker), false);
  });
});
