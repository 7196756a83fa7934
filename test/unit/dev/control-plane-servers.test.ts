import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  controlPlaneServers,
  etcdBuild,
  serverForVersion,
} from "../../../src/dev/control-plane-servers.js";
import { repoRoot } from "../../support/repo-root.js";

const script = readFileSync(path.join(repoRoot, "scripts", "build-control-plane.sh"), "utf8");

function scriptVariable(name: string): string | undefined {
  return new RegExp(`^${name}=([\\w.]+)`, "m").exec(script)?.[1];
}

describe("control-plane servers", () => {
  it("names the builds the build script makes, so dev up finds what the script cached", () => {
    assert.equal(scriptVariable("CURRENT_VERSION"), controlPlaneServers.current.version);
    assert.equal(scriptVariable("CURRENT_RECIPE"), controlPlaneServers.current.recipe);
    assert.equal(scriptVariable("OLD_VERSION"), controlPlaneServers.old.version);
    assert.equal(scriptVariable("OLD_RECIPE"), controlPlaneServers.old.recipe);
    assert.equal(scriptVariable("ETCD_VERSION"), etcdBuild.version);
    assert.equal(scriptVariable("ETCD_RECIPE"), etcdBuild.recipe);
  });

  it("runs a current Kubernetes by default: 1.34 or later", () => {
    const [major, minor] = controlPlaneServers.current.version.split(".").map(Number);
    assert.ok(major === 1 && minor! >= 34, controlPlaneServers.current.version);
  });

  it("understands --kubernetes-version as a name, a version, a minor or with a leading v", () => {
    const current = controlPlaneServers.current.version;
    const old = controlPlaneServers.old.version;
    assert.equal(serverForVersion("current"), "current");
    assert.equal(serverForVersion("old"), "old");
    assert.equal(serverForVersion(current), "current");
    assert.equal(serverForVersion(`v${old}`), "old");
    assert.equal(serverForVersion(old.replace(/\.\d+$/, "")), "old");
    assert.equal(serverForVersion("1.2"), undefined);
    assert.equal(serverForVersion("1.99.0"), undefined);
  });
});
