import { crdFactsOf } from "../../../src/core/crd-facts.js";
import assert from "node:assert/strict";
import path from "node:path";
import { PassThrough } from "node:stream";
import { pino } from "pino";
import { parseAllDocuments } from "yaml";
import { crdsCommand } from "../../../src/cli/commands/crds.js";
import type { ManifestDocument } from "../../../src/core/manifest.js";
import { createAjv } from "../../../src/schema/create-ajv.js";
import { crdVersionSchema } from "../../../src/schema/crd-version-schema.js";
import { kubeBindCrds, type CustomResourceDefinition } from "../../../src/schema/kube-bind-crds.js";
import { createSchemaRegistry } from "../../../src/schema/schema-registry.js";
import { validateDocument } from "../../../src/schema/validate-document.js";
import {
  doc,
  get,
  kubeBindReference,
  referenceDocuments,
  registry,
  remove,
  skipMessage,
  variant,
} from "./fixtures.js";

/** A node of a CRD schema, as far as these tests look into it. */
interface SchemaNode {
  type?: unknown;
  required?: string[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
}

const crds = kubeBindCrds();
const byKind = new Map(crds.map((crd) => [crd.spec.names.kind, crd]));
const schemaOf = (crd: CustomResourceDefinition) =>
  crd.spec.versions[0]!.schema!.openAPIV3Schema as SchemaNode;

/** Every schema node under a CRD schema, with its path. */
function* nodes(node: SchemaNode, at = ""): Generator<[string, SchemaNode]> {
  yield [at, node];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    yield* nodes(child, `${at}.${key}`);
  }
  if (node.items) yield* nodes(node.items, `${at}[]`);
  if (typeof node.additionalProperties === "object") {
    yield* nodes(node.additionalProperties, `${at}{}`);
  }
}

describe("kubeBindCrds: the CRDs bindops installs for kube-bind's kinds", () => {
  it("one CRD per kube-bind kind, named <plural>.kube-bind.io, v1alpha2 served and stored", () => {
    assert.deepEqual([...byKind.keys()].sort(), [
      "APIServiceBinding",
      "APIServiceBindingBundle",
      "APIServiceExport",
      "APIServiceExportRequest",
      "APIServiceExportTemplate",
      "APIServiceNamespace",
      "BindableResourcesRequest",
      "BoundSchema",
      "Cluster",
      "ClusterBinding",
      "Collection",
    ]);
    for (const crd of crds) {
      assert.equal(crd.metadata?.name, `${crd.spec.names.plural}.kube-bind.io`);
      assert.equal(crd.spec.group, "kube-bind.io");
      assert.equal(crd.metadata?.labels?.["app.kubernetes.io/managed-by"], "bindops");
      assert.deepEqual(
        crd.spec.versions.map((v) => [v.name, v.served, v.storage, v.subresources?.status]),
        [["v1alpha2", true, true, {}]],
      );
      assert.equal(crd.spec.names.listKind, `${crd.spec.names.kind}List`);
    }
  });

  it("scopes, short names and categories as kube-bind has them (spec §1, §3)", () => {
    const clusterScoped = crds
      .filter((c) => c.spec.scope === "Cluster")
      .map((c) => c.spec.names.kind);
    assert.deepEqual(clusterScoped.sort(), [
      "APIServiceBinding",
      "APIServiceBindingBundle",
      "APIServiceExportTemplate",
      "Cluster",
      "Collection",
    ]);
    const shortNames = crds
      .filter((c) => c.spec.names.shortNames)
      .map((c) => [c.spec.names.kind, c.spec.names.shortNames]);
    assert.deepEqual(shortNames.sort(), [
      ["APIServiceBinding", ["sb"]],
      ["APIServiceBindingBundle", ["sbb"]],
      ["BoundSchema", ["bs"]],
    ]);
    const kubeBind = crds.filter((c) => c.spec.names.categories?.includes("kube-bind"));
    assert.deepEqual(kubeBind.map((c) => c.spec.names.kind).sort(), [
      "APIServiceExportTemplate",
      "Cluster",
      "Collection",
    ]);
    for (const crd of crds) assert.equal(crd.spec.names.categories?.length, 1);
  });

  it("each passes the apiextensions.k8s.io/v1 CRD schema and bindops's CRD checks", () => {
    const fresh = createSchemaRegistry();
    crds.forEach((crd, index) => {
      const document = doc(crd, "crds.yaml", index);
      assert.deepEqual(validateDocument(document, registry), [], crd.metadata?.name);
      assert.deepEqual(fresh.addCrd(crdFactsOf(document)), [], crd.metadata?.name);
    });
  });

  it("structural schemas: a type on every node, no $ref, const or additionalProperties: false", () => {
    for (const crd of crds) {
      const text = JSON.stringify(crd);
      for (const banned of [
        '"additionalProperties":false',
        '"$ref"',
        '"const"',
        '"definitions"',
        '"if"',
      ]) {
        assert.ok(!text.includes(banned), `${crd.metadata?.name} contains ${banned}`);
      }
      for (const [at, node] of nodes(schemaOf(crd))) {
        assert.equal(typeof node.type, "string", `${crd.metadata?.name} ${at} has no type`);
      }
      const schema = schemaOf(crd);
      assert.deepEqual(schema.properties?.metadata, { type: "object" });
      assert.ok(!schema.required?.includes("metadata"));
    }
  });

  it("free-form fields preserve unknown fields; closed objects do not", () => {
    const request = schemaOf(byKind.get("APIServiceExportRequest")!);
    const preserve = "x-kubernetes-preserve-unknown-fields";
    assert.equal(get(request, `/properties/spec/properties/parameters/${preserve}`), true);
    assert.equal(get(request, `/properties/spec/${preserve}`), undefined);
    assert.deepEqual(get(request, "/properties/status/default"), {});
    assert.deepEqual(get(request, "/properties/status/properties/phase/enum"), [
      "Pending",
      "Failed",
      "Succeeded",
    ]);
  });

  it("read back as JSON Schema, they judge documents as bindops's schemas do", () => {
    const ajv = createAjv({ allErrors: true });
    const check = (kind: string, value: unknown) => {
      const crd = byKind.get(kind) as unknown as Record<string, unknown>;
      const converted = crdVersionSchema(crd, "v1alpha2")!;
      const validate = ajv.compile(converted.schema);
      return validate(value);
    };
    const template = {
      apiVersion: "kube-bind.io/v1alpha2",
      kind: "APIServiceExportTemplate",
      metadata: { name: "t" },
      spec: {
        scope: "Cluster",
        resources: [{ group: "wildwest.dev", resource: "sheriffs", versions: ["v1alpha1"] }],
        namespaces: [{ name: "ns", description: "pruned by the server" }],
      },
    };
    assert.equal(check("APIServiceExportTemplate", template), false);
    const fixed = variant(template, { "/spec/namespaces/0/description": remove });
    assert.equal(check("APIServiceExportTemplate", fixed), true);
  });

  it("`bindops crds` prints them as one YAML stream and exits 0", async () => {
    const out = new PassThrough();
    let text = "";
    out.on("data", (chunk: Buffer) => (text += chunk.toString()));
    const code = await crdsCommand(
      {
        logger: pino({ level: "silent" }),
        env: {},
        cwd: process.cwd(),
        stdout: out,
        stderr: new PassThrough(),
        signal: new AbortController().signal,
        debug: false,
        color: false,
      },
      {},
    );
    assert.equal(code, 0);
    const documents = parseAllDocuments(text).map((d) => d.toJS() as unknown);
    assert.deepEqual(documents, JSON.parse(JSON.stringify(crds)));
  });

  describe("against upstream's CRDs (../shared/reference/kube-bind/crds)", function () {
    const reference = kubeBindReference();
    let upstream: ManifestDocument[] = [];
    before(function () {
      if (reference === undefined) {
        console.warn(`      ${skipMessage}`);
        this.skip();
      }
      upstream = referenceDocuments(path.join(reference, "crds"));
    });

    it("declare exactly the fields upstream's v1alpha2 schemas declare, with the same scope", () => {
      for (const crd of crds) {
        const theirs = upstream.find(
          (u) => get(u.value, "/spec/names/kind") === crd.spec.names.kind,
        );
        assert.ok(theirs, `upstream has no ${crd.spec.names.kind}`);
        const versions = get(theirs.value, "/spec/versions") as { name: string }[];
        const version = versions.find((v) => v.name === "v1alpha2");
        const fields = (schema: SchemaNode) => [...nodes(schema)].map(([at]) => at).sort();
        assert.deepEqual(
          fields(schemaOf(crd)),
          fields(get(version, "/schema/openAPIV3Schema") as SchemaNode),
          crd.spec.names.kind,
        );
        assert.equal(crd.spec.scope, get(theirs.value, "/spec/scope"), crd.spec.names.kind);
      }
    });
  });
});
