import assert from "node:assert/strict";
import { consentAnnotation, consentOf } from "../../../src/core/kube-bind-objects.js";
import type { KubeObject } from "../../../src/core/kube-object.js";

/** An APIServiceBinding with the consent annotation set to `text` (none when undefined). */
const binding = (text?: string): KubeObject => ({
  apiVersion: "kube-bind.io/v1alpha2",
  kind: "APIServiceBinding",
  metadata: {
    name: "databases",
    ...(text === undefined ? {} : { annotations: { [consentAnnotation]: text } }),
  },
});

describe("consentOf", () => {
  it("states no consent for a binding without the annotation (one made by kubectl bind)", () => {
    assert.equal(consentOf(binding()), undefined);
    assert.equal(
      consentOf({ ...binding(), metadata: { name: "x", annotations: { other: "1" } } }),
      undefined,
    );
  });

  it("reads the namespaces and each claim's direction the reconciler wrote", () => {
    const consent = {
      namespaces: ["team-a", "team-b"],
      claims: [
        { group: "", resource: "secrets", direction: "ConsumerToProvider" },
        { group: "", resource: "configmaps", direction: "Both" },
        { group: "", resource: "serviceaccounts", direction: "ProviderToConsumer" },
      ],
    };
    assert.deepEqual(consentOf(binding(JSON.stringify(consent))), consent);
  });

  it("leaves the namespaces out when the binding names none (any namespace)", () => {
    const consent = { claims: [{ group: "", resource: "secrets", direction: "Both" }] };
    assert.deepEqual(consentOf(binding(JSON.stringify(consent))), consent);
  });

  it("grants nothing when the annotation cannot be read", () => {
    for (const text of ["", "{", "not json", "null", "[]", '"secrets"', '{"claims":"secrets"}']) {
      assert.deepEqual(consentOf(binding(text)), { claims: [] }, text);
    }
  });

  it("drops claims with a direction it does not know, or without a resource", () => {
    const text = JSON.stringify({
      claims: [
        { group: "", resource: "secrets", direction: "Sideways" },
        { group: "", resource: "configmaps" },
        { group: "", direction: "Both" },
        null,
        "secrets",
        { group: "", resource: "serviceaccounts", direction: "ProviderToConsumer" },
      ],
    });
    assert.deepEqual(consentOf(binding(text)), {
      claims: [{ group: "", resource: "serviceaccounts", direction: "ProviderToConsumer" }],
    });
  });

  it("grants nothing when the namespaces cannot be read, rather than any namespace", () => {
    const claims = [{ group: "", resource: "secrets", direction: "Both" }];
    for (const namespaces of [
      "team-a",
      { name: "team-a" },
      [42],
      ["team-a", { name: "b" }],
      null,
    ]) {
      assert.deepEqual(
        consentOf(binding(JSON.stringify({ namespaces, claims }))),
        { claims: [] },
        JSON.stringify(namespaces),
      );
    }
  });
});
