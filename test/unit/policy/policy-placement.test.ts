import assert from "node:assert/strict";
import type { ManifestDocument } from "../../../src/core/manifest.js";
import { placePolicies, policiesFolder } from "../../../src/policy/policy-placement.js";

const doc = (file: string, value: Record<string, unknown>): ManifestDocument => ({
  file,
  index: 0,
  line: 1,
  col: 1,
  value,
});
const policy = (file: string) =>
  doc(file, { apiVersion: "bindops.dev/v1alpha1", kind: "ClaimPolicy", metadata: { name: "p" } });
const repository = (file: string, paths?: Record<string, string>) =>
  doc(file, {
    apiVersion: "bindops.dev/v1alpha1",
    kind: "Repository",
    metadata: { name: "r" },
    spec: { clusters: {}, ...(paths ? { paths } : {}) },
  });

describe("placePolicies", () => {
  it("obeys policies in policies/ and refuses one beside a team's bindings", () => {
    const inside = policy("policies/acme.yaml");
    const outside = policy("consumers/orders/bindings/approve-myself.yaml");
    const { policies, findings } = placePolicies([repository("bindops.yaml"), inside, outside]);
    assert.deepEqual(policies, [inside]);
    assert.equal(findings.length, 1);
    assert.equal(findings[0]!.rule, "policy-outside-policies-folder");
    assert.equal(findings[0]!.severity, "error");
    assert.equal(findings[0]!.location.file, "consumers/orders/bindings/approve-myself.yaml");
  });

  it("follows spec.paths.policies and the folder of bindops.yaml", () => {
    assert.equal(
      policiesFolder([repository("bindops.yaml", { policies: "security/claims/" })]),
      "security/claims",
    );
    assert.equal(policiesFolder([repository("platform/bindops.yaml")]), "platform/policies");
    assert.equal(policiesFolder([]), "policies");
    const { policies } = placePolicies([
      repository("bindops.yaml", { policies: "security" }),
      policy("security/p.yaml"),
      policy("policies/p.yaml"),
    ]);
    assert.deepEqual(
      policies.map((p) => p.file),
      ["security/p.yaml"],
    );
  });

  it("leaves other kinds alone", () => {
    const binding = doc("policies/x.yaml", {
      apiVersion: "bindops.dev/v1alpha1",
      kind: "ServiceBinding",
    });
    assert.deepEqual(placePolicies([binding]), { policies: [], findings: [] });
  });
});
