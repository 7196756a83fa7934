import assert from "node:assert/strict";
import path from "node:path";
import { connectCluster, type ConnectedCluster } from "../../src/kube/connect-cluster.js";
import { clusterStartTimeoutMs, clusters } from "../support/clusters.js";
import { runCli } from "../support/run-cli.js";

describe("bindops demo (against the real local control plane)", function () {
  this.timeout(180_000);
  let stateDir: string;
  let provider: ConnectedCluster;
  let consumer: ConnectedCluster;

  before(async function () {
    this.timeout(clusterStartTimeoutMs);
    const running = await clusters();
    // `dev up` reuses running servers, so the demo runs on the clusters this test run started.
    stateDir = path.dirname(running.provider.kubeconfigPath);
    provider = await connectCluster("provider", { kubeconfigDir: stateDir, env: {} });
    consumer = await connectCluster("consumer", { kubeconfigDir: stateDir, env: {} });
  });
  after(() => {
    provider?.client.close();
    consumer?.client.close();
  });

  it("validates examples/, installs kube-bind's CRDs and applies the provider's CRDs and templates", async () => {
    const result = await runCli(["demo", "--state-dir", stateDir]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /\[1\/5\] validating examples/);
    // Step 5: the repository reconciled through a real git remote, the status pushed back.
    assert.match(result.stdout, /status\/consumer\/orders-db\.yaml +Bound/);
    assert.match(result.stdout, /status\/consumer\/billing-db\.yaml +Bound/);
    assert.match(result.stdout, /status committed and pushed: [0-9a-f]{12} \[skip ci\]/);
    assert.match(result.stdout, /0 errors/);
    assert.match(result.stdout, /APIServiceExportTemplate databases applied/);
    // The CRD carries CEL rules; the current server takes them as they are.
    assert.match(result.stdout, /CRD postgresclusters\.dbaas\.example\.com established\n/);
    const crd = await provider.client.get({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      name: "postgresclusters.dbaas.example.com",
    });
    assert.match(JSON.stringify(crd.spec), /x-kubernetes-validations/);

    const template = await provider.client.get({
      apiVersion: "kube-bind.io/v1alpha2",
      kind: "APIServiceExportTemplate",
      name: "databases",
    });
    assert.equal((template.spec as { scope: string }).scope, "Namespaced");
    const crds = await consumer.client.list({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
    });
    const names = crds.items.map((c) => c.metadata.name);
    assert.ok(names.includes("apiservicebindings.kube-bind.io"), names.join(", "));
  });

  it("runs on existing clusters named by --kubeconfig-dir without starting any", async () => {
    const result = await runCli([
      "demo",
      "--kubeconfig-dir",
      stateDir,
      "--state-dir",
      "/nonexistent",
    ]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /\[2\/5\] connecting to the provider and consumer clusters/);
    assert.match(result.stdout, /provider +kubeconfig-dir|provider .*provider\.kubeconfig/);
    assert.doesNotMatch(result.stderr, /started etcd/);
  });

  it("stops at validation, exit 2, when the repository is invalid", async () => {
    const result = await runCli([
      "demo",
      "--state-dir",
      stateDir,
      "--repo",
      "test/fixtures/invalid-repo",
    ]);
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(result.stdout, /error \[/);
    assert.doesNotMatch(result.stdout, /\[2\/5\]/);
  });
});
