import assert from "node:assert/strict";
import path from "node:path";
import { repoRoot } from "../support/repo-root.js";
import { runCli } from "../support/run-cli.js";

/**
 * `bindops validate` pointed at whole GitOps repositories, as a platform team does: the fixtures
 * under test/fixtures/gitops are a Flux layout with two clusters, an Argo CD repository with a
 * kustomize overlay and a Helm chart, and a repository of API versions Kubernetes has removed.
 */
const fixtures = path.join(repoRoot, "test/fixtures/gitops");
const findings = (stdout: string) =>
  stdout
    .split("\n")
    .filter((line) => /: (error|warning) \[/.test(line))
    .map((line) => line.replace(/^(\S+?):\d+:\d+: (\w+) \[([a-z-]+)\].*$/, "$1 $2 $3"));

describe("bindops validate on GitOps repositories (the CLI)", function () {
  this.timeout(60_000);

  it("passes a healthy Flux layout of two clusters: the same objects per cluster are at most warnings", async () => {
    const result = await runCli(["validate"], { cwd: path.join(fixtures, "flux") });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual(findings(result.stdout), [
      "clusters/staging/apps.yaml warning duplicate-object-elsewhere",
      "clusters/staging/flux-system/gotk-sync.yaml warning duplicate-object-elsewhere",
    ]);
    // The overlays' patches are validated (as partial objects), the kustomizations skipped.
    assert.match(result.stdout, /0 errors, 2 warnings in 14 files \(18 documents\)/);
    assert.match(result.stderr, /skipped 6 kustomization files/);
  });

  it("passes a healthy Argo CD repository, with one line per kind of file skipped", async () => {
    const result = await runCli(["validate"], { cwd: path.join(fixtures, "argocd") });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /no problems in 6 files \(6 documents\)/);
    const skipped = result.stderr.split("\n").filter((line) => line.includes("skipped"));
    assert.equal(skipped.length, 4, result.stderr);
    assert.match(result.stderr, /skipped 2 kustomization files/);
    assert.match(result.stderr, /skipped 1 Helm chart files \(.*\): charts\/web\/Chart\.yaml/);
    assert.match(result.stderr, /skipped 2 Helm values files/);
    // Said once, for the chart's three templates.
    assert.equal(result.stderr.split("helm template CHART | bindops validate -").length, 2);
    assert.match(result.stderr, /skipped 3 Helm templates \(they need rendering/);
  });

  it("-v lists every file skipped, one a line", async () => {
    const result = await runCli(["validate", "-v"], { cwd: path.join(fixtures, "argocd") });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    for (const file of [
      "charts/web/Chart.yaml",
      "charts/web/values.yaml",
      "charts/web/values-production.yaml",
      "charts/web/templates/deployment.yaml",
      "charts/web/templates/ingress.yaml",
      "charts/web/templates/service.yaml",
      "guestbook/base/kustomization.yaml",
      "guestbook/overlays/production/kustomization.yaml",
    ]) {
      assert.match(result.stderr, new RegExp(`skipped ${file.replace(/\./g, "\\.")}$`, "m"));
    }
  });

  it("reports every removed API version with the release that removed it, and --kubernetes-version moves the line", async () => {
    const cwd = path.join(fixtures, "removed-apis");
    const newest = await runCli(["validate"], { cwd });
    assert.equal(newest.code, 2, newest.stdout + newest.stderr);
    assert.deepEqual(findings(newest.stdout), [
      "legacy-app/cronjob.yaml error removed-api",
      "legacy-app/deployment.yaml error removed-api",
      "legacy-app/ingress.yaml error removed-api",
      "legacy-app/pdb-hpa.yaml error removed-api",
      "legacy-app/pdb-hpa.yaml error removed-api",
      "platform/crd.yaml error removed-api",
      "platform/flowcontrol.yaml error removed-api",
      "platform/psp.yaml error removed-api",
      "platform/rbac.yaml error removed-api",
      "platform/rbac.yaml error removed-api",
      "platform/storage.yaml error removed-api",
      "platform/storage.yaml error removed-api",
    ]);
    assert.match(
      newest.stdout,
      /batch\/v1beta1 CronJob was removed in Kubernetes 1\.25: use batch\/v1 CronJob/,
    );

    const old = await runCli(["validate", "--kubernetes-version", "1.21"], { cwd });
    assert.equal(old.code, 2, old.stdout + old.stderr);
    assert.match(old.stdout, /1 error, 9 warnings/);
    assert.match(
      old.stdout,
      /deployment\.yaml:1:1: error \[removed-api\].*removed in Kubernetes 1\.16/,
    );
    assert.match(
      old.stdout,
      /cronjob\.yaml:1:1: warning \[deprecated-api\] batch\/v1beta1 CronJob is deprecated since Kubernetes 1\.21 and removed in 1\.25/,
    );
  });
});
