import assert from "node:assert/strict";
import { uncoveredBranches } from "../../../src/core/selector-covers.js";
import type { ClaimSelector, SelectorReference } from "../../../src/core/service-binding.js";

const reference = (namespace?: string): SelectorReference => ({
  index: 0,
  group: "dbaas.example.com",
  resource: "postgresclusters",
  versions: ["v1alpha1"],
  jsonPath: { name: "spec.secretName", ...(namespace === undefined ? {} : { namespace }) },
});
const selector = (namespace?: string): ClaimSelector => ({ references: [reference(namespace)] });
const noDefaults = () => undefined;

describe("uncoveredBranches and isolation", () => {
  it("without an isolation, covers a reference only by the same reference", () => {
    assert.equal(
      uncoveredBranches(selector(), selector("metadata.namespace"), noDefaults).length,
      1,
    );
    assert.equal(
      uncoveredBranches(selector("metadata.namespace"), selector(), noDefaults).length,
      1,
    );
    assert.deepEqual(
      uncoveredBranches(selector("metadata.namespace"), selector("metadata.namespace"), noDefaults),
      [],
    );
  });

  it("with an isolation that checks no namespace, a reference without a namespace path covers one with it", () => {
    for (const isolation of ["Prefixed", "None"]) {
      assert.deepEqual(
        uncoveredBranches(selector(), selector("metadata.namespace"), noDefaults, { isolation }),
        [],
      );
      assert.equal(
        uncoveredBranches(selector("metadata.namespace"), selector(), noDefaults, { isolation })
          .length,
        1,
      );
    }
  });

  it("with isolation Namespaced, the two stay apart", () => {
    const isolation = "Namespaced";
    assert.equal(
      uncoveredBranches(selector(), selector("spec.target"), noDefaults, { isolation }).length,
      1,
    );
  });
});
