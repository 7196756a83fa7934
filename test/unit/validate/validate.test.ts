import assert from "node:assert/strict";
import { readFolderSnapshot } from "../../../src/git/read-folder-snapshot.js";
import { validate } from "../../../src/validate/validate.js";
import type { ValidateReport } from "../../../src/report/validate-report.js";
import { tempRepo } from "../manifests/temp-repo.js";

const configMap = (name: string, data: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: apps\ndata:\n${data}`;

const crd = (kind: string) => `apiVersion: apiextensions.k8s.io/v1
kind: ${kind}
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: integer, maximum: 10}
`;

async function validateFiles(files: Record<string, string | Uint8Array>) {
  const repo = tempRepo(files);
  try {
    return await validate(readFolderSnapshot(repo.root), { toolVersion: "test" });
  } finally {
    repo.remove();
  }
}

const located = (report: ValidateReport, rule: string) =>
  report.findings
    .filter((f) => f.rule === rule)
    .map((f) => `${f.location.file}:${f.location.line}:${f.location.col}`);

describe("validate", () => {
  it("tells apart objects of one name by content, though their values were not kept", async () => {
    const report = await validateFiles({
      "a.yaml": configMap("same", "  k: one\n"),
      "b.yaml": `${configMap("same", "  k: one\n")}---\n${configMap("other", "  k: two\n")}`,
      "c.yaml": configMap("other", "  k: three\n"),
    });
    assert.deepEqual(located(report, "duplicate-object-elsewhere"), ["c.yaml:4:3"]);
  });

  it("finds a CRD whose kind is spelled with escapes, and checks custom resources against it", async () => {
    const report = await validateFiles({
      "crd.yaml": crd('"CustomResource\\u0044efinition"'),
      "widget.yaml":
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  size: 11\n",
    });
    assert.deepEqual(located(report, "unknown-kind"), []);
    assert.deepEqual(located(report, "schema"), ["widget.yaml:5:3"]);
  });

  it("reports a CRD's Swagger-style required: true once, where it is written, and still checks its resources", async () => {
    const swagger = crd("CustomResourceDefinition")
      .replace("          type: object\n", "          type: object\n          required: true\n")
      .replace("{type: integer, maximum: 10}", "{type: integer, maximum: 10, required: true}");
    const report = await validateFiles({
      "crd.yaml": swagger,
      "widget.yaml":
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  size: 11\n",
    });
    assert.deepEqual(
      report.findings.map((f) => `${f.location.file}:${f.location.line} [${f.rule}]`),
      ["crd.yaml:16 [crd-schema]", "crd.yaml:21 [crd-schema]", "widget.yaml:5 [schema]"],
    );
    assert.match(report.findings[0]!.message, /required must be a list of field names, not true/);
  });

  it("places findings in files kept as bytes: a BOM, CRLF line ends, several documents", async () => {
    const text = ["# first\n", configMap("one", "  a: b\n"), configMap("two", "  enabled: yes\n")]
      .join("---\n")
      .replaceAll("\n", "\r\n");
    const report = await validateFiles({ "cm.yaml": `\uFEFF${text}` });
    // Line 1 is the comment, 2 the first `---`; the second document starts on line 11.
    assert.deepEqual(located(report, "yaml11-wrong-type"), ["cm.yaml:17:12"]);
  });
});

describe("validate: a CRD is read once, so schemas and cross-references agree on it", () => {
  const template = `apiVersion: kube-bind.io/v1alpha2
kind: APIServiceExportTemplate
metadata: {name: widgets}
spec:
  scope: Namespaced
  resources:
    - {group: example.com, resource: widgets, versions: [v1]}
`;
  it("a version without `served` is served for custom resources and for templates alike", async () => {
    const legacy = crd("CustomResourceDefinition")
      .replace("      served: true\n", "")
      .replace(
        "  name: widgets.example.com\n",
        '  name: widgets.example.com\n  labels: {kube-bind.io/exported: "true"}\n',
      );
    const report = await validateFiles({
      "crd.yaml": legacy,
      "template.yaml": template,
      "widget.yaml":
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  size: 11\n",
    });
    const rules = report.findings.map((f) => f.rule);
    // The CRD's own schema check reports the missing field; nothing downstream disagrees.
    assert.ok(rules.includes("schema"), rules.join(", "));
    assert.ok(!rules.includes("template-version-not-served"), rules.join(", "));
    assert.ok(!rules.includes("unknown-version"), rules.join(", "));
    assert.deepEqual(located(report, "schema"), ["crd.yaml:11:7", "widget.yaml:5:3"]);
  });
});

describe("validate: YAML 1.1 readings that kubectl refuses", () => {
  const widgets = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                mode: {type: string}
                replicas: {type: integer}
                extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
`;

  it("is an error where the field must be a string, a warning where any value is fine", async () => {
    const report = await validateFiles({
      "cm.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: flags
  labels:
    enabled: on
data:
  debug: no
  window: 1:20
  quoted: "no"
`,
      "crd.yaml": widgets,
      "widget.yaml": `apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec:
  mode: Off
  replicas: 0_1
  extra:
    verbose: yes
`,
    });
    assert.deepEqual(located(report, "yaml11-wrong-type"), [
      "cm.yaml:6:14",
      "cm.yaml:8:10",
      "widget.yaml:5:9",
    ]);
    assert.match(
      report.findings.find((f) => f.rule === "yaml11-wrong-type")?.message ?? "",
      /`on` is true in kubectl \(YAML 1\.1\).*must be a string/,
    );
    assert.deepEqual(located(report, "yaml11-ambiguous"), [
      "cm.yaml:9:11",
      "widget.yaml:6:13",
      "widget.yaml:8:14",
    ]);
    // `0_1` is a string in YAML 1.2, so the schema already refuses it for an integer field.
    assert.deepEqual(located(report, "schema"), ["widget.yaml:6:3"]);
  });
});

describe("validate: what kubectl create and kubectl get write", () => {
  it("takes generateName for a missing name, and checks a List's items as documents of their own", async () => {
    const report = await validateFiles({
      "job.yaml": `apiVersion: batch/v1
kind: Job
metadata: {generateName: migrate-}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: m, image: busybox}]
`,
      "nameless.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {labels: {a: b}}\n",
      "list.yaml": `apiVersion: v1
kind: List
metadata: {resourceVersion: ""}
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: a}
    data:
      x: 1
  - apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: d}
    spec:
      replicas: 2
      selector: {matchLabels: {app: d}}
      template:
        metadata: {labels: {app: d}}
        spec: {containers: [{name: c, image: busybox}]}
  - apiVersion: v1
    kind: Secret
    metadata: {name: s}
    stringData: {password: hunter2}
---
apiVersion: v1
kind: List
items: []
---
apiVersion: v1
kind: ConfigMapList
items:
  - metadata: {name: inferred}
    data: {z: 2}
`,
    });
    const where = (f: (typeof report.findings)[number]) =>
      `${f.rule} ${f.location.file}:${f.location.line} ${f.location.pointer}`;
    assert.deepEqual(report.findings.map(where), [
      "schema list.yaml:9 /items/0/data/x",
      "schema list.yaml:14 /items/1/spec/replicas",
      "plain-secret list.yaml:22 /items/2/stringData",
      "credential-in-repo list.yaml:22 /items/2/stringData/password",
      "schema list.yaml:32 /items/0/data/z",
      "schema nameless.yaml:3 /metadata",
    ]);
  });
});

describe("validate: nulls, as the API server reads them", () => {
  it("a null is an absent field, wherever it is, unless the schema makes it nullable", async () => {
    const widgets = crd("CustomResourceDefinition").replace(
      "                size: {type: integer, maximum: 10}\n",
      [
        "                size: {type: integer, maximum: 10}",
        "                description: {type: string}",
        "                owner: {type: string, nullable: true}",
        "              required: [size]",
        "",
      ].join("\n"),
    );
    const report = await validateFiles({
      "cm.yaml": [
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata:",
        "  name: a",
        "  annotations:",
        "  labels: {app: null}",
        "data: {a: b}",
        "",
      ].join("\n"),
      "crd.yaml": widgets,
      "widget.yaml":
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 1, description: null, owner: null}\n",
      "unsized.yaml":
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: u}\nspec: {size: null}\n",
      "binding.yaml": [
        "apiVersion: bindops.dev/v1alpha1",
        "kind: ServiceBinding",
        "metadata: {name: b}",
        "spec: {consumer: c, provider: p, template: t, isolation: null, permissionClaims: null}",
        "",
      ].join("\n"),
    });
    assert.deepEqual(
      report.findings
        .filter((f) => f.rule === "schema")
        .map((f) => `${f.location.file}:${f.location.line} ${f.message}`),
      ['unsized.yaml:4 missing required field "spec.size"'],
    );
  });
});

describe("validate: numbers, as the API server compares them", () => {
  it("multipleOf allows the rounding of decimal fractions, as the API server does", async () => {
    const widgets = crd("CustomResourceDefinition").replace(
      "                size: {type: integer, maximum: 10}\n",
      [
        "                ratio: {type: number, multipleOf: 0.1}",
        "                price: {type: number, multipleOf: 0.01}",
        "                step: {type: integer, multipleOf: 5}",
        "",
      ].join("\n"),
    );
    const widget = (name: string, spec: string) =>
      `apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: ${name}}\nspec: ${spec}\n`;
    const report = await validateFiles({
      "crd.yaml": widgets,
      "good.yaml": widget("good", "{ratio: 0.3, price: 1.15, step: 15}"),
      "bad.yaml": widget("bad", "{ratio: 0.35, price: 1.155, step: 12}"),
    });
    assert.deepEqual(
      report.findings.map((f) => `${f.location.file} ${f.message}`),
      [
        "bad.yaml spec.ratio: must be a multiple of 0.1",
        "bad.yaml spec.price: must be a multiple of 0.01",
        "bad.yaml spec.step: must be a multiple of 5",
      ],
    );
  });
});

describe("validate: a file of very many documents", () => {
  it("takes 20,000 documents in one file by default, and refuses more than --max-documents", async function () {
    this.timeout(60_000);
    const text = Array.from(
      { length: 20_000 },
      (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}}\ndata: {k: v}\n`,
    ).join("---\n");
    const repo = tempRepo({ "many.yaml": text });
    try {
      const snapshot = readFolderSnapshot(repo.root);
      const report = await validate(snapshot, { toolVersion: "test" });
      assert.deepEqual(report.findings, []);
      assert.equal(report.documents, 20_000);
      const bounded = await validate(snapshot, { toolVersion: "test", maxDocumentsPerFile: 5_000 });
      assert.deepEqual(
        bounded.findings.map((f) => `${f.rule} ${f.location.line} ${f.message}`),
        [
          "yaml-document-limit 25000 the file holds more than 5000 documents; it is refused (--max-documents raises the limit)",
        ],
      );
    } finally {
      repo.remove();
    }
  });
});
