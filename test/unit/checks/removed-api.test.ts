import assert from "node:assert/strict";
import { checkRemovedApi } from "../../../src/checks/index.js";
import { documentFacts } from "../../../src/core/document-facts.js";
import { removedApis } from "../../../src/core/removed-apis.js";
import { readFolderSnapshot } from "../../../src/git/read-folder-snapshot.js";
import { validate } from "../../../src/validate/validate.js";
import { tempRepo } from "../manifests/temp-repo.js";
import { doc } from "./fixtures.js";

/**
 * Kubernetes' deprecated API migration guide, written out here independently of the table the
 * check reads: release → "apiVersion kind" → what replaces it.
 */
const guide: Record<string, [string, string][]> = {
  "1.16": [
    ["extensions/v1beta1 Deployment", "apps/v1"],
    ["apps/v1beta1 Deployment", "apps/v1"],
    ["apps/v1beta2 Deployment", "apps/v1"],
    ["extensions/v1beta1 DaemonSet", "apps/v1"],
    ["apps/v1beta2 DaemonSet", "apps/v1"],
    ["apps/v1beta1 StatefulSet", "apps/v1"],
    ["apps/v1beta2 StatefulSet", "apps/v1"],
    ["extensions/v1beta1 ReplicaSet", "apps/v1"],
    ["apps/v1beta1 ReplicaSet", "apps/v1"],
    ["apps/v1beta2 ReplicaSet", "apps/v1"],
    ["extensions/v1beta1 NetworkPolicy", "networking.k8s.io/v1"],
    ["extensions/v1beta1 PodSecurityPolicy", "Pod Security Admission"],
  ],
  "1.22": [
    [
      "admissionregistration.k8s.io/v1beta1 MutatingWebhookConfiguration",
      "admissionregistration.k8s.io/v1",
    ],
    [
      "admissionregistration.k8s.io/v1beta1 ValidatingWebhookConfiguration",
      "admissionregistration.k8s.io/v1",
    ],
    ["apiextensions.k8s.io/v1beta1 CustomResourceDefinition", "apiextensions.k8s.io/v1"],
    ["apiregistration.k8s.io/v1beta1 APIService", "apiregistration.k8s.io/v1"],
    ["authentication.k8s.io/v1beta1 TokenReview", "authentication.k8s.io/v1"],
    ["authorization.k8s.io/v1beta1 SubjectAccessReview", "authorization.k8s.io/v1"],
    ["authorization.k8s.io/v1beta1 LocalSubjectAccessReview", "authorization.k8s.io/v1"],
    ["authorization.k8s.io/v1beta1 SelfSubjectAccessReview", "authorization.k8s.io/v1"],
    ["certificates.k8s.io/v1beta1 CertificateSigningRequest", "certificates.k8s.io/v1"],
    ["coordination.k8s.io/v1beta1 Lease", "coordination.k8s.io/v1"],
    ["extensions/v1beta1 Ingress", "networking.k8s.io/v1"],
    ["networking.k8s.io/v1beta1 Ingress", "networking.k8s.io/v1"],
    ["networking.k8s.io/v1beta1 IngressClass", "networking.k8s.io/v1"],
    ["rbac.authorization.k8s.io/v1beta1 ClusterRole", "rbac.authorization.k8s.io/v1"],
    ["rbac.authorization.k8s.io/v1beta1 ClusterRoleBinding", "rbac.authorization.k8s.io/v1"],
    ["rbac.authorization.k8s.io/v1beta1 Role", "rbac.authorization.k8s.io/v1"],
    ["rbac.authorization.k8s.io/v1beta1 RoleBinding", "rbac.authorization.k8s.io/v1"],
    ["scheduling.k8s.io/v1beta1 PriorityClass", "scheduling.k8s.io/v1"],
    ["storage.k8s.io/v1beta1 CSIDriver", "storage.k8s.io/v1"],
    ["storage.k8s.io/v1beta1 CSINode", "storage.k8s.io/v1"],
    ["storage.k8s.io/v1beta1 StorageClass", "storage.k8s.io/v1"],
    ["storage.k8s.io/v1beta1 VolumeAttachment", "storage.k8s.io/v1"],
  ],
  "1.25": [
    ["batch/v1beta1 CronJob", "batch/v1"],
    ["discovery.k8s.io/v1beta1 EndpointSlice", "discovery.k8s.io/v1"],
    ["events.k8s.io/v1beta1 Event", "events.k8s.io/v1"],
    ["autoscaling/v2beta1 HorizontalPodAutoscaler", "autoscaling/v2"],
    ["policy/v1beta1 PodDisruptionBudget", "policy/v1"],
    ["policy/v1beta1 PodSecurityPolicy", "Pod Security Admission"],
    ["node.k8s.io/v1beta1 RuntimeClass", "node.k8s.io/v1"],
  ],
  "1.26": [
    ["flowcontrol.apiserver.k8s.io/v1beta1 FlowSchema", "flowcontrol.apiserver.k8s.io/v1"],
    [
      "flowcontrol.apiserver.k8s.io/v1beta1 PriorityLevelConfiguration",
      "flowcontrol.apiserver.k8s.io/v1",
    ],
    ["autoscaling/v2beta2 HorizontalPodAutoscaler", "autoscaling/v2"],
  ],
  "1.27": [["storage.k8s.io/v1beta1 CSIStorageCapacity", "storage.k8s.io/v1"]],
  "1.29": [
    ["flowcontrol.apiserver.k8s.io/v1beta2 FlowSchema", "flowcontrol.apiserver.k8s.io/v1"],
    [
      "flowcontrol.apiserver.k8s.io/v1beta2 PriorityLevelConfiguration",
      "flowcontrol.apiserver.k8s.io/v1",
    ],
  ],
  "1.32": [
    ["flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema", "flowcontrol.apiserver.k8s.io/v1"],
    [
      "flowcontrol.apiserver.k8s.io/v1beta3 PriorityLevelConfiguration",
      "flowcontrol.apiserver.k8s.io/v1",
    ],
  ],
};

const check = (typeMeta: string, version: string) => {
  const [apiVersion, kind] = typeMeta.split(" ") as [string, string];
  const value = { apiVersion, kind, metadata: { name: "x" } };
  return checkRemovedApi(doc("a.yaml", value), documentFacts(value).type, version);
};

describe("removed and deprecated Kubernetes API versions", () => {
  for (const [release, entries] of Object.entries(guide)) {
    it(`reports the API versions removed in ${release}, naming the release and the replacement`, () => {
      for (const [typeMeta, replacement] of entries) {
        const finding = check(typeMeta, release);
        assert.equal(finding?.rule, "removed-api", typeMeta);
        assert.equal(finding.severity, "error");
        assert.equal(finding.location.pointer, "/apiVersion");
        assert.ok(
          finding.message.startsWith(
            `${typeMeta} was removed in Kubernetes ${release}: use ${replacement}`,
          ),
          finding.message,
        );
      }
    });
  }

  it("knows no removal the guide does not list", () => {
    const listed = new Set(
      Object.values(guide)
        .flat()
        .map(([typeMeta]) => typeMeta),
    );
    assert.deepEqual(
      removedApis.map((api) => `${api.apiVersion} ${api.kind}`).filter((t) => !listed.has(t)),
      [],
    );
  });

  it("warns before the removal, once deprecated, and says nothing earlier or for current versions", () => {
    assert.equal(check("batch/v1beta1 CronJob", "1.24")?.rule, "deprecated-api");
    assert.equal(check("batch/v1beta1 CronJob", "1.24")?.severity, "warning");
    assert.match(
      check("batch/v1beta1 CronJob", "1.24")!.message,
      /deprecated since Kubernetes 1\.21 and removed in 1\.25: use batch\/v1 CronJob/,
    );
    assert.equal(check("batch/v1beta1 CronJob", "1.20"), undefined);
    assert.equal(check("batch/v1beta1 CronJob", "1.9"), undefined);
    for (const current of [
      "batch/v1 CronJob",
      "networking.k8s.io/v1 Ingress",
      "apps/v1 Deployment",
      "v1 ConfigMap",
    ]) {
      assert.equal(check(current, "1.37"), undefined, current);
    }
  });

  it("validate reports them by default, in place of the old version's schema findings", async () => {
    const repo = tempRepo({
      "legacy.yaml": [
        "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: restricted}\nspec: {}\n",
        "apiVersion: autoscaling/v2beta1\nkind: HorizontalPodAutoscaler\nmetadata: {name: web, namespace: apps}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  maxReplicas: 3\n",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine, namespace: apps}\n",
      ].join("---\n"),
    });
    try {
      const snapshot = readFolderSnapshot(repo.root);
      const report = await validate(snapshot, { toolVersion: "test" });
      assert.deepEqual(
        report.findings.map((f) => [f.rule, f.location.line]),
        [
          ["removed-api", 1],
          ["removed-api", 6],
        ],
      );
      const older = await validate(snapshot, { toolVersion: "test", kubernetesVersion: "1.23" });
      assert.deepEqual(
        older.findings.filter((f) => f.rule.endsWith("-api")).map((f) => [f.rule, f.severity]),
        [
          ["deprecated-api", "warning"],
          ["deprecated-api", "warning"],
        ],
      );
    } finally {
      repo.remove();
    }
  });
});
