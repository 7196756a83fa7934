import assert from "node:assert/strict";
import type { BoundSchema } from "../../../src/core/kube-bind-objects.js";
import type { KubeObject } from "../../../src/core/kube-object.js";
import { consumerCrd, ownedByBinding, syncVersion } from "../../../src/sync/consumer-crd.js";

const openAPIV3Schema = {
  type: "object",
  properties: { spec: { type: "object", properties: { size: { type: "string" } } } },
};

const boundSchema = (
  versions: Record<string, unknown>[],
  extra: Partial<BoundSchema["spec"]> = {},
): BoundSchema => ({
  apiVersion: "kube-bind.io/v1alpha2",
  kind: "BoundSchema",
  metadata: { name: "databases.example.com", namespace: "kube-bind-x7k2p" },
  spec: {
    informerScope: "Namespaced",
    group: "example.com",
    names: {
      plural: "databases",
      singular: "database",
      kind: "Database",
      listKind: "DatabaseList",
    },
    scope: "Namespaced",
    versions,
    ...extra,
  },
});

const owner = { name: "databases", uid: "b1nd" };

const specOf = (crd: KubeObject) =>
  crd.spec as { versions: Record<string, unknown>[] } & Record<string, unknown>;

describe("consumerCrd", () => {
  it("names the CRD <plural>.<group> and copies group, names and scope", () => {
    const crd = consumerCrd(
      boundSchema([{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema } }]),
      owner,
    );
    assert.equal(crd.apiVersion, "apiextensions.k8s.io/v1");
    assert.equal(crd.kind, "CustomResourceDefinition");
    assert.equal(crd.metadata.name, "databases.example.com");
    const spec = specOf(crd);
    assert.equal(spec.group, "example.com");
    assert.deepEqual(spec.names, boundSchema([]).spec.names);
    assert.equal(spec.scope, "Namespaced");
  });

  it("leaves out the informer scope, which is not a CRD field", () => {
    const crd = consumerCrd(boundSchema([{ name: "v1", served: true, storage: true }]), owner);
    assert.equal("informerScope" in specOf(crd), false);
  });

  it("unwraps a version's {openAPIV3Schema} as the backend writes it", () => {
    const crd = consumerCrd(
      boundSchema([{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema } }]),
      owner,
    );
    assert.deepEqual(specOf(crd).versions[0]!.schema, { openAPIV3Schema });
  });

  it("takes a version's bare schema as the schema itself", () => {
    const crd = consumerCrd(
      boundSchema([{ name: "v1", served: true, storage: true, schema: openAPIV3Schema }]),
      owner,
    );
    assert.deepEqual(specOf(crd).versions[0]!.schema, { openAPIV3Schema });
  });

  it("keeps each version's other fields and always gives it subresources", () => {
    const columns = [{ name: "Size", type: "string", jsonPath: ".spec.size" }];
    const crd = consumerCrd(
      boundSchema([
        {
          name: "v1",
          served: true,
          storage: true,
          schema: { openAPIV3Schema },
          subresources: { status: {} },
          additionalPrinterColumns: columns,
        },
        { name: "v1beta1", served: false, storage: false, schema: { openAPIV3Schema } },
      ]),
      owner,
    );
    const [v1, v1beta1] = specOf(crd).versions;
    assert.deepEqual(v1!.subresources, { status: {} });
    assert.deepEqual(v1!.additionalPrinterColumns, columns);
    assert.deepEqual(v1beta1!.subresources, {});
    assert.equal(v1beta1!.served, false);
  });

  it("copies the conversion only when the BoundSchema has one", () => {
    const versions = [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema } }];
    assert.equal("conversion" in specOf(consumerCrd(boundSchema(versions), owner)), false);
    const conversion = { strategy: "None" };
    assert.deepEqual(
      specOf(consumerCrd(boundSchema(versions, { conversion }), owner)).conversion,
      conversion,
    );
  });

  it("is controlled by the binding, so that deleting the binding deletes the CRD", () => {
    const crd = consumerCrd(boundSchema([{ name: "v1", served: true, storage: true }]), owner);
    assert.deepEqual(crd.metadata.ownerReferences, [
      {
        apiVersion: "kube-bind.io/v1alpha2",
        kind: "APIServiceBinding",
        name: "databases",
        uid: "b1nd",
        controller: true,
      },
    ]);
    assert.equal(ownedByBinding(crd, owner), true);
  });
});

describe("ownedByBinding", () => {
  const crd = (...ownerReferences: Record<string, unknown>[]): KubeObject => ({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "databases.example.com", ownerReferences },
  });
  const ref = (fields: Record<string, unknown> = {}) => ({
    apiVersion: "kube-bind.io/v1alpha1",
    kind: "APIServiceBinding",
    name: "databases",
    uid: "b1nd",
    ...fields,
  });

  it("recognises the binding's ownerReference in any kube-bind.io version", () => {
    assert.equal(ownedByBinding(crd(ref()), owner), true);
    assert.equal(
      ownedByBinding(crd({ apiVersion: "v1", kind: "Namespace", name: "x" }, ref()), owner),
      true,
    );
  });

  it("treats a CRD of another binding, or of no binding, as foreign", () => {
    assert.equal(ownedByBinding(crd(ref({ name: "caches" })), owner), false);
    assert.equal(ownedByBinding(crd(ref({ uid: "old" })), owner), false);
    assert.equal(ownedByBinding(crd(ref({ kind: "APIServiceExport" })), owner), false);
    assert.equal(ownedByBinding(crd(ref({ apiVersion: "example.com/v1" })), owner), false);
    assert.equal(ownedByBinding(crd(), owner), false);
  });

  it("compares names only while the binding's uid is not known", () => {
    assert.equal(ownedByBinding(crd(ref({ uid: "old" })), { name: "databases", uid: "" }), true);
  });
});

describe("syncVersion", () => {
  it("syncs in the first served version", () => {
    const schema = boundSchema([
      { name: "v1alpha1", served: false, storage: false },
      { name: "v1beta1", served: true, storage: false },
      { name: "v1", served: true, storage: true },
    ]);
    assert.equal(syncVersion(schema), "v1beta1");
  });

  it("has no version when none is served", () => {
    assert.equal(
      syncVersion(boundSchema([{ name: "v1", served: false, storage: true }])),
      undefined,
    );
    assert.equal(syncVersion(boundSchema([])), undefined);
  });
});
