import assert from "node:assert/strict";
import { readFolderSnapshot } from "../../../src/git/read-folder-snapshot.js";
import { validate } from "../../../src/validate/validate.js";
import { tempRepo } from "../manifests/temp-repo.js";

const deployment = (replicas: number, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
  namespace: apps
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: podinfo}
  template:
    metadata:
      labels: {app: podinfo}
    spec:
      containers:
      - name: podinfo
        image: ${image}
        ports:
        - {name: http, containerPort: 9898}
`;

const namespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n";

/**
 * A healthy mixed repository as platform teams keep them: a Flux-style layout with a folder per
 * cluster, an Argo CD application with a kustomize base and overlay (a patch file), and a Helm
 * chart with values files and templates.
 */
const mixedRepository = {
  // Flux: the same objects, with other values, in each cluster's folder.
  "clusters/staging/kustomization.yaml":
    "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- podinfo.yaml\n- namespace.yaml\n",
  "clusters/staging/podinfo.yaml": deployment(1, "ghcr.io/stefanprodan/podinfo:6.5.0"),
  "clusters/staging/namespace.yaml": namespace,
  "clusters/production/kustomization.yaml": "resources:\n- podinfo.yaml\n- namespace.yaml\n",
  "clusters/production/podinfo.yaml": deployment(3, "ghcr.io/stefanprodan/podinfo:6.4.0"),
  "clusters/production/namespace.yaml": namespace,
  // Argo CD: a kustomize base and an overlay that patches it.
  "apps/guestbook/base/kustomization.yaml": "resources:\n- deployment.yaml\n",
  "apps/guestbook/base/deployment.yaml": deployment(
    1,
    "gcr.io/heptio-images/ks-guestbook-demo:0.2",
  ),
  "apps/guestbook/overlays/prod/kustomization.yaml": [
    "apiVersion: kustomize.config.k8s.io/v1beta1",
    "kind: Kustomization",
    "resources:\n- ../../base",
    "patches:\n- path: replicas.yaml",
    "patchesStrategicMerge:\n- ./image.yaml",
    "",
  ].join("\n"),
  // Partial objects: no selector, no containers' images.
  "apps/guestbook/overlays/prod/replicas.yaml":
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: podinfo\nspec:\n  replicas: 5\n",
  "apps/guestbook/overlays/prod/image.yaml":
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: podinfo\nspec:\n  template:\n    spec:\n      containers:\n      - name: podinfo\n        image: podinfo:7\n",
  // A Helm chart.
  "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\nappVersion: 1.0.0\n",
  "charts/web/values.yaml": "replicaCount: 1\nimage:\n  repository: nginx\n  tag: ''\n",
  "charts/web/values-production.yaml": "replicaCount: 3\n",
  "charts/web/templates/deployment.yaml": [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    '  name: {{ include "web.fullname" . }}',
    "  labels:",
    '    {{- include "web.labels" . | nindent 4 }}',
    "spec:",
    "  replicas: {{ .Values.replicaCount }}",
    "",
  ].join("\n"),
  "charts/web/templates/service.yaml":
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  ports:\n  - port: 80\n",
};

describe("validate on GitOps repositories", () => {
  it("passes a healthy mixed repository: Flux clusters, an Argo CD overlay, a Helm chart", async () => {
    const repo = tempRepo(mixedRepository);
    try {
      const report = await validate(readFolderSnapshot(repo.root), { toolVersion: "test" });
      const errors = report.findings.filter((f) => f.severity === "error");
      assert.deepEqual(
        errors.map((f) => `${f.location.file} [${f.rule}] ${f.message}`),
        [],
      );
      assert.deepEqual(Object.fromEntries((report.skipped ?? []).map((s) => [s.kind, s.files])), {
        kustomization: [
          "apps/guestbook/base/kustomization.yaml",
          "apps/guestbook/overlays/prod/kustomization.yaml",
          "clusters/production/kustomization.yaml",
          "clusters/staging/kustomization.yaml",
        ],
        "helm-chart": ["charts/web/Chart.yaml"],
        "helm-values": ["charts/web/values-production.yaml", "charts/web/values.yaml"],
        "helm-template": [
          "charts/web/templates/deployment.yaml",
          "charts/web/templates/service.yaml",
        ],
      });
      assert.match(
        report.skipped!.find((s) => s.kind === "helm-template")!.description,
        /need rendering: `helm template CHART | bindops validate -`/,
      );
      // The manifests themselves are validated: 4 documents of the clusters, 1 of the base, and
      // the overlay's 2 patches as partial objects.
      assert.equal(report.documents, 7);
    } finally {
      repo.remove();
    }
  });

  it("validates a manifest named like a Helm file (values.yaml, Chart.yaml) outside what Helm reads", async () => {
    const repo = tempRepo({
      "app/values.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: values\ndat: {}\n",
      "app/values-prod.yaml":
        "# a ConfigMap\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: prod}\ndata: {a: 1}\n",
      "app/Chart.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: chart}\nbinaryData: 3\n",
      // A chart whose values choose a workload kind: still values, skipped.
      "charts/agent/Chart.yaml": "apiVersion: v2\nname: agent\nversion: 1.0.0\n",
      "charts/agent/values.yaml": "apiVersion: apps/v1\nkind: DaemonSet\nimage: {tag: ''}\n",
    });
    try {
      const report = await validate(readFolderSnapshot(repo.root), { toolVersion: "test" });
      assert.deepEqual(
        report.findings.map((f) => `${f.location.file}:${f.location.line} [${f.rule}]`),
        [
          "app/Chart.yaml:4 [schema]",
          "app/values-prod.yaml:5 [schema]",
          "app/values.yaml:5 [schema]",
        ],
      );
      assert.deepEqual(Object.fromEntries((report.skipped ?? []).map((s) => [s.kind, s.files])), {
        "helm-chart": ["charts/agent/Chart.yaml"],
        "helm-values": ["charts/agent/values.yaml"],
      });
    } finally {
      repo.remove();
    }
  });

  it("outside a chart, a templates/ file is Helm's only if it uses Helm: alert templates are validated", async () => {
    const rule = [
      "apiVersion: monitoring.coreos.com/v1",
      "kind: PrometheusRule",
      "metadata: {name: node}",
      "spec:",
      "  groups:",
      "  - name: node",
      "    rules:",
      "    - alert: NodeDown",
      "      expr: up == 0",
      "      annotations:",
      '        summary: "{{ $labels.instance }} is down"',
      "",
    ].join("\n");
    const repo = tempRepo({
      "monitoring/templates/rules.yaml": rule,
      "monitoring/templates/alerts.yaml":
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: alerts}\ndata:\n  text: |\n    {{ range .Alerts }}{{ .Labels.alertname }}{{ end }}\n",
      "vendored/templates/service.yaml":
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n",
      "vendored/templates/helpers.yaml": '{{- define "x.name" -}}x{{- end }}\n',
    });
    try {
      const report = await validate(readFolderSnapshot(repo.root), { toolVersion: "test" });
      assert.deepEqual(
        report.findings.map((f) => `${f.location.file} [${f.rule}]`),
        ["monitoring/templates/rules.yaml [unknown-kind]"],
      );
      assert.deepEqual(Object.fromEntries((report.skipped ?? []).map((s) => [s.kind, s.files])), {
        "helm-template": ["vendored/templates/helpers.yaml", "vendored/templates/service.yaml"],
      });
    } finally {
      repo.remove();
    }
  });

  it("skips a chart's own files (values.schema.json, requirements.yaml, ci/ values), not its crds/ or a manifest in it", async () => {
    const repo = tempRepo({
      "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
      "charts/web/values.yaml": "replicaCount: 1\n",
      "charts/web/values.schema.json":
        '{"$schema": "https://json-schema.org/draft-07/schema#", "type": "object"}\n',
      "charts/web/requirements.yaml": "dependencies:\n- name: redis\n  version: 17.x\n",
      "charts/web/ci/test-values.yaml": "replicaCount: 2\n",
      "charts/web/files/config.yaml": "listen: 8080\n",
      "charts/web/crds/widget.yaml":
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: w}\n",
      "charts/web/extra/configmap.yaml":
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\ndat: {}\n",
    });
    try {
      const report = await validate(readFolderSnapshot(repo.root), { toolVersion: "test" });
      const files = [...new Set(report.findings.map((f) => f.location.file))].sort();
      assert.deepEqual(files, ["charts/web/crds/widget.yaml", "charts/web/extra/configmap.yaml"]);
      assert.deepEqual(Object.fromEntries((report.skipped ?? []).map((s) => [s.kind, s.files])), {
        "helm-chart": [
          "charts/web/Chart.yaml",
          "charts/web/files/config.yaml",
          "charts/web/requirements.yaml",
          "charts/web/values.schema.json",
        ],
        "helm-values": ["charts/web/ci/test-values.yaml", "charts/web/values.yaml"],
      });
    } finally {
      repo.remove();
    }
  });

  it("skips the files that configure kustomize, as a kubebuilder project's config/ lists them", async () => {
    const repo = tempRepo({
      "config/crd/kustomization.yaml": [
        "resources: [bases/example.com_widgets.yaml]",
        "configurations: [kustomizeconfig.yaml]",
        "",
      ].join("\n"),
      "config/crd/kustomizeconfig.yaml":
        "nameReference:\n- kind: Service\n  version: v1\n  fieldSpecs:\n  - kind: CustomResourceDefinition\n    path: spec/conversion/webhook/clientConfig/service/name\n",
      "config/crd/bases/example.com_widgets.yaml":
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: w}\n",
      "config/default/kustomization.yaml": [
        "namePrefix: widget-",
        "resources: [../crd]",
        "replacements:",
        "- path: replacements.yaml",
        "transformers: [labels.yaml]",
        "",
      ].join("\n"),
      "config/default/replacements.yaml":
        "source: {kind: Service, name: webhook, fieldPath: metadata.name}\ntargets: []\n",
      "config/default/labels.yaml":
        "apiVersion: builtin\nkind: LabelTransformer\nmetadata: {name: labels}\nlabels: {app: widget}\nfieldSpecs: [{path: metadata/labels, create: true}]\n",
    });
    try {
      const report = await validate(readFolderSnapshot(repo.root), { toolVersion: "test" });
      assert.deepEqual(
        report.findings.map((f) => `${f.location.file} [${f.rule}]`),
        [],
      );
      assert.deepEqual((report.skipped ?? []).find((s) => s.kind === "kustomize-config")?.files, [
        "config/crd/kustomizeconfig.yaml",
        "config/default/labels.yaml",
        "config/default/replacements.yaml",
      ]);
    } finally {
      repo.remove();
    }
  });

  it("still validates a bindops templates/ folder, and manifests a kustomization lists", async () => {
    const repo = tempRepo({
      "providers/p/templates/t.yaml":
        "apiVersion: kube-bind.io/v1alpha2\nkind: APIServiceExportTemplate\nmetadata: {name: t}\nspec: {}\n",
      "base/kustomization.yaml": "resources:\n- broken.yaml\n",
      "base/broken.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n",
    });
    try {
      const report = await validate(readFolderSnapshot(repo.root), { toolVersion: "test" });
      const files = new Set(report.findings.map((f) => f.location.file));
      assert.ok(files.has("providers/p/templates/t.yaml"));
      assert.ok(files.has("base/broken.yaml"));
      assert.deepEqual(
        report.skipped?.map((s) => s.kind),
        ["kustomization"],
      );
    } finally {
      repo.remove();
    }
  });

  it("validates kustomize patches as partial objects: types and unknown fields, not required ones", async () => {
    const overlay = "overlays/prod";
    const repo = tempRepo({
      [`${overlay}/kustomization.yaml`]: [
        "resources: [../../base]",
        "patches:",
        "- path: good.yaml",
        "- path: bad.yaml",
        "- path: ops.yaml",
        "  target: {kind: Deployment, name: web}",
        "patchesStrategicMerge: [delete.yaml]",
        "",
      ].join("\n"),
      [`${overlay}/good.yaml`]:
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 5\n",
      [`${overlay}/bad.yaml`]: [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata: {name: web}",
        "spec:",
        "  replicas: five",
        "  template:",
        "    spec:",
        "      containers:",
        "      - name: web",
        "        imagePullPolice: Always",
        "",
      ].join("\n"),
      // A JSON 6902 patch: a list of operations, not an object.
      [`${overlay}/ops.yaml`]: "- op: replace\n  path: /spec/replicas\n  value: 3\n",
      // Strategic merge directives and nulls, which delete what they name.
      [`${overlay}/delete.yaml`]: [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata: {name: web}",
        "spec:",
        "  replicas: null",
        "  template:",
        "    spec:",
        "      $setElementOrder/containers: [{name: web}]",
        "      containers:",
        "      - name: sidecar",
        "        $patch: delete",
        "",
      ].join("\n"),
    });
    try {
      const report = await validate(readFolderSnapshot(repo.root), { toolVersion: "test" });
      assert.deepEqual(
        report.findings.map(
          (f) => `${f.location.file}:${f.location.line} [${f.rule}] ${f.message}`,
        ),
        [
          `${overlay}/bad.yaml:5 [schema] spec.replicas: must be an integer (got string)`,
          `${overlay}/bad.yaml:10 [schema] unknown field "spec.template.spec.containers[0].imagePullPolice"`,
        ],
      );
      assert.deepEqual(
        report.skipped?.map((s) => s.kind),
        ["kustomization"],
      );
    } finally {
      repo.remove();
    }
  });
});
