import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";
import { devPaths } from "../../src/dev/dev-paths.js";
import { connectCluster, type ConnectedCluster } from "../../src/kube/connect-cluster.js";
import type { KubeObject } from "../../src/kube/kube-client.js";
import { getOrUndefined } from "../../src/kube/not-found.js";
import { clusterStartTimeoutMs, clusters } from "../support/clusters.js";
import { eventually } from "../support/eventually.js";
import { examplesRemote, hermeticGitEnv } from "../support/examples-remote.js";
import { repoRoot } from "../support/repo-root.js";
import { RunProcess } from "../support/run-process.js";

const namespace = "bindops-system";
const user = `system:serviceaccount:${namespace}:bindops`;

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}
interface Call {
  verb: string;
  group: string;
  resource: string;
  name: string | undefined;
  code: number;
}

/** The Roles (and their objects) of a kustomization folder's resources. */
function manifests(dir: string): KubeObject[] {
  const kustomization = parse(readFileSync(path.join(dir, "kustomization.yaml"), "utf8")) as {
    resources: string[];
  };
  return kustomization.resources.flatMap((file) =>
    parseAllDocuments(readFileSync(path.join(dir, file), "utf8")).map((d) => {
      const object = d.toJS() as KubeObject;
      if (object.kind !== "Namespace") object.metadata.namespace = namespace;
      return object;
    }),
  );
}

const allows = (rule: Rule, call: Call) =>
  rule.apiGroups.includes(call.group) &&
  rule.resources.includes(call.resource) &&
  rule.verbs.includes(call.verb) &&
  (rule.resourceNames === undefined ||
    (call.name !== undefined && rule.resourceNames.includes(call.name)));

/**
 * deploy/'s RBAC is what bindops touches in the cluster it runs in, no more: `bindops run` is run
 * with the token of the ServiceAccount the manifests bind, as leader and as shard replica, and the
 * API server's audit log of its calls is compared with the rules. Every call is allowed (none
 * was refused), and every rule was needed by some call.
 */
describe("deploy/ RBAC against the calls bindops makes (real API server audit log)", function () {
  this.timeout(300_000);
  let dir: string;
  let remote: string;
  let kubeconfigDir: string;
  let auditLog: string;
  let provider: ConnectedCluster;
  const running: RunProcess[] = [];

  const calls = (): Call[] =>
    readFileSync(auditLog, "utf8")
      .split("\n")
      .filter(Boolean)
      .map(
        (line) =>
          JSON.parse(line) as {
            verb: string;
            user: { username: string };
            objectRef?: { apiGroup?: string; resource?: string; name?: string };
            responseStatus?: { code?: number };
          },
      )
      .filter((e) => e.user.username === user && e.objectRef?.resource !== undefined)
      .map((e) => ({
        verb: e.verb,
        group: e.objectRef!.apiGroup ?? "",
        resource: e.objectRef!.resource!,
        name: e.objectRef!.name,
        code: e.responseStatus?.code ?? 0,
      }));

  /** Runs bindops with `args` until `done` holds, then stops it with SIGTERM (it exits 0). */
  const runUntil = async (args: string[], done: (p: RunProcess) => boolean) => {
    const p = new RunProcess(
      [
        "--repo",
        remote,
        "--branch",
        "main",
        "--kubeconfig-dir",
        kubeconfigDir,
        "--no-konnector",
        "--leader-election-cluster",
        "lease",
        "--health-addr",
        "127.0.0.1:0",
        "--metrics-addr",
        "127.0.0.1:0",
        "--interval",
        "60",
        ...args,
      ],
      { ...hermeticGitEnv, BINDOPS_CACHE_DIR: path.join(dir, "cache") },
    );
    running.push(p);
    await eventually(
      "bindops to get to work",
      () => Promise.resolve(done(p) || undefined),
      120_000,
    );
    p.child.kill("SIGTERM");
    assert.equal(await p.exited(), 0, p.stderr);
  };

  before(async function () {
    this.timeout(clusterStartTimeoutMs);
    const c = await clusters();
    const stateDir = path.dirname(c.provider.kubeconfigPath);
    auditLog = devPaths(stateDir).auditLog("provider");
    provider = await connectCluster("provider", { kubeconfigDir: stateDir, env: {} });
    dir = mkdtempSync(path.join(tmpdir(), "bindops-rbac-"));

    // deploy/base's and the shards component's ServiceAccount and RBAC, for real.
    const objects = [
      ...manifests(path.join(repoRoot, "deploy/base")),
      ...manifests(path.join(repoRoot, "deploy/components/shards")),
    ].filter((o) => ["Namespace", "ServiceAccount", "Role", "RoleBinding"].includes(o.kind));
    for (const object of objects) await provider.client.apply(object);
    for (const name of ["bindops", "bindops-shard-0", "bindops-shard-1"]) {
      await provider.client
        .delete({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace, name })
        .catch(() => undefined);
    }
    // Its token, as a pod would mount it; the lease cluster is the provider, seen as bindops.
    await provider.client.apply({
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/service-account-token",
      metadata: {
        name: "bindops-token",
        namespace,
        annotations: { "kubernetes.io/service-account.name": "bindops" },
      },
    });
    const token = await eventually("the ServiceAccount's token", async () => {
      const secret = await getOrUndefined(provider.client, {
        apiVersion: "v1",
        kind: "Secret",
        namespace,
        name: "bindops-token",
      });
      const data = secret?.data as { token?: string } | undefined;
      return data?.token ? Buffer.from(data.token, "base64").toString("utf8") : undefined;
    });
    kubeconfigDir = path.join(dir, "kubeconfigs");
    mkdirSync(kubeconfigDir);
    for (const cluster of ["provider", "consumer"]) {
      cpSync(
        path.join(stateDir, `${cluster}.kubeconfig`),
        path.join(kubeconfigDir, `${cluster}.kubeconfig`),
      );
    }
    const admin = parse(readFileSync(path.join(stateDir, "provider.kubeconfig"), "utf8")) as {
      clusters: unknown[];
      contexts: { name: string; context: { cluster: string } }[];
    };
    writeFileSync(
      path.join(kubeconfigDir, "lease.kubeconfig"),
      stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: admin.clusters,
        contexts: [
          {
            name: "lease",
            context: { cluster: admin.contexts[0]!.context.cluster, user: "bindops" },
          },
        ],
        "current-context": "lease",
        users: [{ name: "bindops", user: { token } }],
      }),
    );

    remote = examplesRemote(dir).remote;
  });
  after(async () => {
    for (const p of running) {
      if (p.child.exitCode === null) p.child.kill("SIGKILL");
      await p.exited();
    }
    provider?.client.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("grants exactly the calls of a leader and of a shard replica: none refused, every rule used", async () => {
    const rulesOf = (dir: string) =>
      manifests(path.join(repoRoot, dir))
        .filter((o) => o.kind === "Role")
        .flatMap((o) => (o as KubeObject & { rules: Rule[] }).rules);
    const base = rulesOf("deploy/base");
    const withShards = [...base, ...rulesOf("deploy/components/shards")];

    await runUntil(
      ["--leader-elect"],
      (p) => p.logged("became leader") && p.logged("status committed"),
    );
    const leader = calls();
    await runUntil(["--shards", "2"], (p) => /holding shards 1\/2, 2\/2/.test(p.stderr));
    const sharded = calls().slice(leader.length);

    // deploy/base alone serves a leader; with the shards component, a shard replica.
    for (const [made, rules, what] of [
      [leader, base, "deploy/base"],
      [sharded, withShards, "deploy/base with components/shards"],
    ] as const) {
      assert.ok(made.length > 0, `the audit log recorded bindops's calls under ${what}`);
      assert.deepEqual(
        made.filter((c) => c.code === 403),
        [],
        `no call was refused under ${what}`,
      );
      for (const call of made) {
        assert.ok(
          rules.some((r) => allows(r, call)),
          `${call.verb} ${call.group}/${call.resource} ${call.name ?? ""} is not granted by ${what}`,
        );
      }
    }
    // Least privilege: each verb of each rule was needed by the deployment that has it.
    for (const [rules, made] of [
      [base, leader],
      [rulesOf("deploy/components/shards"), sharded],
    ] as const) {
      for (const rule of rules) {
        for (const verb of rule.verbs) {
          for (const resource of rule.resources) {
            assert.ok(
              made.some((c) => allows({ ...rule, verbs: [verb], resources: [resource] }, c)),
              `rule ${rule.apiGroups.join()}/${resource}:${verb}${rule.resourceNames ? ` (${rule.resourceNames.join()})` : ""} was never used`,
            );
          }
        }
      }
    }
  });
});
