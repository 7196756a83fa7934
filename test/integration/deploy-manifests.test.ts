import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { connectCluster, type ConnectedCluster } from "../../src/kube/connect-cluster.js";
import type { KubeObject } from "../../src/kube/kube-client.js";
import { clusterStartTimeoutMs, clusters } from "../support/clusters.js";
import { repoRoot } from "../support/repo-root.js";

const base = path.join(repoRoot, "deploy", "base");

/** The objects of deploy/base, in the order kustomization.yaml lists its resources. */
function baseObjects(): KubeObject[] {
  const kustomization = parse(readFileSync(path.join(base, "kustomization.yaml"), "utf8")) as {
    namespace: string;
    resources: string[];
  };
  return kustomization.resources.flatMap((file) =>
    parseAllDocuments(readFileSync(path.join(base, file), "utf8")).map((doc) => {
      const object = doc.toJS() as KubeObject;
      if (object.kind !== "Namespace") object.metadata.namespace = kustomization.namespace;
      return object;
    }),
  );
}

describe("deploy/base: the in-cluster manifests (real API server)", function () {
  this.timeout(120_000);
  let cluster: ConnectedCluster;

  before(async function () {
    this.timeout(clusterStartTimeoutMs);
    const c = await clusters();
    cluster = await connectCluster("consumer", {
      kubeconfigDir: path.dirname(c.consumer.kubeconfigPath),
      env: {},
    });
  });
  after(() => cluster?.client.close());

  it("applies cleanly with server-side apply (dry run), every object the API server serves", async () => {
    const objects = baseObjects();
    const namespace = objects.find((o) => o.kind === "Namespace")!;
    await cluster.client.apply(namespace);
    const served: string[] = [];
    for (const object of objects.filter((o) => o.kind !== "Namespace")) {
      if (object.apiVersion.startsWith("monitoring.coreos.com/")) continue; // the operator's CRD is not installed here
      await cluster.client.apply(object, { dryRun: true });
      served.push(object.kind);
    }
    assert.deepEqual(served.sort(), [
      "Deployment",
      "NetworkPolicy",
      "Role",
      "RoleBinding",
      "Service",
      "ServiceAccount",
    ]);
  });

  it("runs pods the restricted Pod Security Standard admits (dry run of the pod template)", async () => {
    const deployment = baseObjects().find((o) => o.kind === "Deployment")!;
    const template = (deployment.spec as { template: { metadata: object; spec: object } }).template;
    await cluster.client.apply({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: "bindops-system",
        labels: { "pod-security.kubernetes.io/enforce": "restricted" },
      },
    });
    await cluster.client.apply(baseObjects().find((o) => o.kind === "ServiceAccount")!);
    const pod = (podSpec: object) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { ...template.metadata, name: "bindops-psa-check", namespace: "bindops-system" },
      spec: podSpec,
    });
    // Rejected (Forbidden) if anything in it breaks the restricted profile.
    await cluster.client.create(pod(template.spec), { dryRun: true });
    // The namespace does enforce it: the same pod allowed to escalate privileges is refused.
    const loose = structuredClone(template.spec) as {
      containers: { securityContext: Record<string, unknown> }[];
    };
    loose.containers[0]!.securityContext.allowPrivilegeEscalation = true;
    await assert.rejects(
      cluster.client.create(pod(loose), { dryRun: true }),
      /forbidden|allowPrivilegeEscalation/i,
    );
    const spec = deployment.spec as {
      replicas: number;
      template: { spec: { containers: { securityContext: Record<string, unknown> }[] } };
    };
    assert.equal(spec.replicas, 2);
    assert.equal(spec.template.spec.containers[0]!.securityContext.readOnlyRootFilesystem, true);
  });

  it("grants bindops in its own cluster only its Lease", () => {
    const role = baseObjects().find((o) => o.kind === "Role") as KubeObject & {
      rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    };
    const grants = role.rules.flatMap((r) =>
      r.resources.flatMap((res) => r.verbs.map((v) => `${r.apiGroups.join()}/${res}:${v}`)),
    );
    assert.deepEqual(grants.sort(), [
      "coordination.k8s.io/leases:create",
      "coordination.k8s.io/leases:get",
      "coordination.k8s.io/leases:update",
    ]);
    assert.ok(
      !baseObjects().some((o) => o.kind === "ClusterRole" || o.kind === "ClusterRoleBinding"),
    );
  });

  it("has a shards component: three replicas with --shards 3 in place of --leader-elect, and the Lease rights sharding needs", async () => {
    const dir = path.join(repoRoot, "deploy", "components", "shards");
    const component = parse(readFileSync(path.join(dir, "kustomization.yaml"), "utf8")) as {
      kind: string;
      resources: string[];
      patches: { patch: string }[];
    };
    assert.equal(component.kind, "Component");
    const ops = parse(component.patches[0]!.patch) as {
      op: string;
      path: string;
      value: unknown;
    }[];
    const deployment = baseObjects().find((o) => o.kind === "Deployment") as KubeObject & {
      spec: { template: { spec: { containers: { args: string[] }[] } } };
    };
    // The patch replaces the argument its `test` operation names: it must still be there.
    const test = ops.find((o) => o.op === "test")!;
    const index = Number(test.path.split("/").pop());
    assert.equal(deployment.spec.template.spec.containers[0]!.args[index], test.value);
    assert.ok(ops.some((o) => o.path === "/spec/replicas" && o.value === 3));
    assert.ok(ops.some((o) => o.op === "replace" && o.value === "--shards=3"));
    const objects = component.resources.flatMap((file) =>
      parseAllDocuments(readFileSync(path.join(dir, file), "utf8")).map(
        (d) => d.toJS() as KubeObject,
      ),
    );
    const role = objects.find((o) => o.kind === "Role") as KubeObject & {
      rules: { resources: string[]; verbs: string[] }[];
    };
    // What the shard Leases are used for: listed by label, read, created, renewed, cleaned up.
    assert.deepEqual(role.rules.flatMap((r) => r.verbs).sort(), [
      "create",
      "delete",
      "get",
      "list",
      "update",
    ]);
    for (const object of objects) await cluster.client.apply(object, { dryRun: true });
  });
});
