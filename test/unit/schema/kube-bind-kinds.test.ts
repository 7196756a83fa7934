import assert from "node:assert/strict";
import path from "node:path";
import type { ManifestDocument } from "../../../src/core/manifest.js";
import { bindopsKinds } from "../../../src/schema/bindops-kinds.js";
import { createAjv } from "../../../src/schema/create-ajv.js";
import { crdVersionSchema } from "../../../src/schema/crd-version-schema.js";
import type { JsonSchema } from "../../../src/schema/json-schema.js";
import { kubeBindKinds } from "../../../src/schema/kube-bind-kinds.js";
import { schemaErrorMessages } from "../../../src/schema/schema-error-messages.js";
import { validateDocument } from "../../../src/schema/validate-document.js";
import {
  check,
  get,
  kubeBindReference,
  pointers,
  referenceDocuments,
  registry,
  skipMessage,
  variant,
} from "./fixtures.js";

const reference = kubeBindReference();
const isKubeBind = (d: ManifestDocument) =>
  typeof d.value.apiVersion === "string" && d.value.apiVersion.startsWith("kube-bind.io/");

describe("kube-bind's kinds", () => {
  describe("upstream examples (../shared/reference/kube-bind)", function () {
    let examples: ManifestDocument[] = [];
    let docsExamples: ManifestDocument[] = [];
    let upstreamCrds: ManifestDocument[] = [];

    before(function () {
      if (reference === undefined) {
        console.warn(`      ${skipMessage}`);
        this.skip();
      }
      examples = referenceDocuments(path.join(reference, "examples"));
      docsExamples = referenceDocuments(path.join(reference, "docs-examples"));
      upstreamCrds = referenceDocuments(path.join(reference, "crds"));
    });

    const docsExample = (prefix: string) => {
      const found = docsExamples.find((d) => d.file.startsWith(prefix));
      assert.ok(found, `docs-examples/${prefix}* is missing`);
      return found;
    };

    it("every kube-bind example in examples/ validates", () => {
      const kubeBind = examples.filter(isKubeBind);
      assert.ok(kubeBind.length >= 3, "expected the templates and the collection");
      for (const example of kubeBind) {
        assert.deepEqual(validateDocument(example, registry), [], example.file);
      }
    });

    it("the docs examples SOURCE.md calls valid validate (02, 04, 08-11)", () => {
      for (const prefix of ["02-", "04-", "08-", "09-", "10-", "11-"]) {
        const example = docsExample(prefix);
        assert.deepEqual(validateDocument(example, registry), [], example.file);
      }
    });

    it("the claim fragments 05-07 validate inside a template", () => {
      for (const prefix of ["05-", "06-", "07-"]) {
        const fragment = docsExample(prefix).value;
        const template = {
          apiVersion: "kube-bind.io/v1alpha2",
          kind: "APIServiceExportTemplate",
          metadata: { name: "widgets" },
          spec: {
            scope: "Namespaced",
            resources: [{ group: "example.com", resource: "widgets", versions: ["v1"] }],
            permissionClaims: fragment.permissionClaims,
          },
        };
        assert.deepEqual(check(template), [], prefix);
      }
    });

    it("01 fails: spec.namespaces[].description is not a field", () => {
      assert.deepEqual(check(docsExample("01-").value), [
        [
          "schema",
          "/spec/namespaces/0/description",
          'unknown field "spec.namespaces[0].description"',
        ],
      ]);
    });

    it("03 fails: v1alpha1 has no permissionClaims, and under v1alpha2 its selector is null", () => {
      const example = docsExample("03-").value;
      assert.deepEqual(check(example), [
        ["schema", "/spec/permissionClaims", 'unknown field "spec.permissionClaims"'],
      ]);
      const asV1alpha2 = { ...example, apiVersion: "kube-bind.io/v1alpha2" };
      assert.deepEqual(check(asV1alpha2), [
        [
          "schema",
          "/spec/permissionClaims/0",
          // The API server drops the null, and then the required selector is missing.
          'missing required field "spec.permissionClaims[0].selector"',
        ],
      ]);
    });

    it("upstream's CRDs judge the examples as bindops's schemas do", () => {
      const ajv = createAjv({ allErrors: true });
      const upstream = (d: ManifestDocument) => {
        const [, version] = String(d.value.apiVersion).split("/");
        const crd = upstreamCrds.find((c) => get(c.value, "/spec/names/kind") === d.value.kind);
        assert.ok(crd, `no upstream CRD for ${String(d.value.kind)}`);
        const converted = crdVersionSchema(crd.value, version!);
        assert.ok(converted, `${String(d.value.kind)} has no version ${version}`);
        const validate = ajv.compile(converted.schema);
        validate(d.value);
        return schemaErrorMessages(validate.errors ?? [], d.value).map((p) => p.pointer);
      };
      for (const example of [...examples, ...docsExamples].filter(isKubeBind)) {
        const ours = validateDocument(example, registry).map((f) => f.location.pointer);
        assert.deepEqual(upstream(example), ours, example.file);
      }
    });
  });

  describe("key rules", () => {
    const template = {
      apiVersion: "kube-bind.io/v1alpha2",
      kind: "APIServiceExportTemplate",
      metadata: { name: "cowboys" },
      spec: {
        scope: "Namespaced",
        resources: [{ group: "wildwest.dev", resource: "cowboys", versions: ["v1alpha1"] }],
        permissionClaims: [
          {
            group: "",
            resource: "secrets",
            selector: { labelSelector: { matchLabels: { app: "cowboy" } } },
          },
        ],
        namespaces: [{ name: "cowboys-system" }],
        schemaUpdatePolicy: "Always",
      },
    };

    it("a template: scope is Namespaced or Cluster", () => {
      const bad = variant(template, { "/spec/scope": "Namespace" });
      assert.deepEqual(check(bad), [
        [
          "schema",
          "/spec/scope",
          'spec.scope: must be one of Namespaced, Cluster (got "Namespace")',
        ],
      ]);
    });

    it("a template: at least one resource, with group and resource in kube-bind's patterns", () => {
      assert.deepEqual(check(variant(template, { "/spec/resources": [] })), [
        ["schema", "/spec/resources", "spec.resources: must not be empty"],
      ]);
      const bad = variant(template, {
        "/spec/resources/0/group": "WildWest.dev",
        "/spec/permissionClaims/0/resource": "s",
      });
      assert.deepEqual(pointers(bad), [
        "/spec/resources/0/group",
        "/spec/permissionClaims/0/resource",
      ]);
    });

    it("a template: schemaUpdatePolicy is Never or Always", () => {
      assert.deepEqual(pointers(variant(template, { "/spec/schemaUpdatePolicy": "Sometimes" })), [
        "/spec/schemaUpdatePolicy",
      ]);
    });

    it("a template: a claim's reference needs a jsonPath with a name", () => {
      const bad = variant(template, {
        "/spec/permissionClaims/0/selector/references": [
          { group: "wildwest.dev", resource: "cowboys", jsonPath: { namespace: "spec.ns" } },
        ],
      });
      assert.deepEqual(check(bad), [
        [
          "schema",
          "/spec/permissionClaims/0/selector/references/0/jsonPath",
          'missing required field "spec.permissionClaims[0].selector.references[0].jsonPath.name"',
        ],
      ]);
    });

    it("an export: isolation and informerScope are required", () => {
      const exported = {
        apiVersion: "kube-bind.io/v1alpha2",
        kind: "APIServiceExport",
        metadata: { name: "cowboys", namespace: "kube-bind-abc" },
        spec: { resources: template.spec.resources },
      };
      assert.deepEqual(check(exported), [
        ["schema", "/spec", 'missing required field "spec.informerScope"'],
        ["schema", "/spec", 'missing required field "spec.isolation"'],
      ]);
    });

    it("a request: parameters are free-form, everything else is closed", () => {
      const request = {
        apiVersion: "kube-bind.io/v1alpha2",
        kind: "APIServiceExportRequest",
        metadata: { name: "cowboys", namespace: "kube-bind-abc" },
        spec: {
          parameters: { size: "large", nested: { anything: [1, { goes: true }] } },
          resources: template.spec.resources,
        },
        status: { phase: "Succeeded", conditions: [] },
      };
      assert.deepEqual(check(request), []);
      assert.deepEqual(pointers(variant(request, { "/spec/policy": "x" })), ["/spec/policy"]);
    });

    it("a ClusterBinding is always named cluster", () => {
      const binding = {
        apiVersion: "kube-bind.io/v1alpha2",
        kind: "ClusterBinding",
        metadata: { name: "consumer-1", namespace: "kube-bind-abc" },
        spec: {
          kubeconfigSecretRef: { name: "kubeconfig", key: "kubeconfig" },
          providerPrettyName: "Acme",
        },
      };
      assert.deepEqual(check(binding), [
        ["schema", "/metadata/name", 'metadata.name: must be "cluster" (got "consumer-1")'],
      ]);
    });

    it("a BoundSchema: version names are unique", () => {
      const version = {
        name: "v1",
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: "object" } },
      };
      const bound = {
        apiVersion: "kube-bind.io/v1alpha2",
        kind: "BoundSchema",
        metadata: { name: "cowboys.wildwest.dev", namespace: "kube-bind-abc" },
        spec: {
          informerScope: "Namespaced",
          group: "wildwest.dev",
          names: { plural: "cowboys", kind: "Cowboy" },
          scope: "Namespaced",
          versions: [version, { ...version, storage: false }],
        },
      };
      const [finding] = check(bound);
      assert.equal(finding?.[1], "/spec/versions/1");
      assert.match(finding?.[2] ?? "", /items 0 and 1 have the same name="v1"/);
    });

    it("an APIServiceNamespace has an empty spec", () => {
      const mapping = {
        apiVersion: "kube-bind.io/v1alpha2",
        kind: "APIServiceNamespace",
        metadata: { name: "wild-west", namespace: "kube-bind-abc" },
        spec: { namespace: "x" },
      };
      assert.deepEqual(pointers(mapping), ["/spec/namespace"]);
    });

    it("v1alpha1 APIServiceBinding only takes the key kubeconfig", () => {
      const legacy = {
        apiVersion: "kube-bind.io/v1alpha1",
        kind: "APIServiceBinding",
        metadata: { name: "cowboys" },
        spec: {
          kubeconfigSecretRef: { name: "kubeconfig", namespace: "kube-bind", key: "config" },
        },
      };
      assert.deepEqual(pointers(legacy), ["/spec/kubeconfigSecretRef/key"]);
    });
  });

  describe("the authored schemas", () => {
    const all: [string, JsonSchema][] = [
      ...kubeBindKinds.flatMap((k) =>
        Object.entries(k.schemas).map(
          ([v, schema]) => [`${k.kind} ${v}`, schema] as [string, JsonSchema],
        ),
      ),
      ...bindopsKinds.map((k) => [k.kind, k.schema] as [string, JsonSchema]),
    ];

    it("compile under ajv's strict mode", () => {
      const ajv = createAjv({ allErrors: true, strict: true });
      for (const [name, schema] of all) {
        assert.doesNotThrow(() => ajv.compile(schema), name);
      }
    });

    it("close every object with fields, unless it is marked free-form", () => {
      const open: string[] = [];
      const walk = (node: unknown, at: string) => {
        if (typeof node !== "object" || node === null) return;
        const schema = node as JsonSchema;
        if (
          schema.type === "object" &&
          schema.additionalProperties === undefined &&
          schema["x-kubernetes-preserve-unknown-fields"] !== true &&
          !at.includes("/metadata/properties/")
        ) {
          open.push(at);
        }
        for (const [key, value] of Object.entries(schema)) {
          if (["if", "then", "else", "enum", "const", "default"].includes(key)) continue;
          walk(value, `${at}/${key}`);
        }
      };
      for (const [name, schema] of all) walk(schema, name);
      assert.deepEqual(open, []);
    });
  });
});
