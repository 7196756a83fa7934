import assert from "node:assert/strict";
import { runChecks } from "../../../src/checks/index.js";
import {
  bindingDoc,
  crdDoc,
  messageOf,
  referenceToSecretName,
  repositoryDoc,
  secretsClaim,
  templateDoc,
  where,
} from "./fixtures.js";

const binding = "consumers/consumer/bindings/orders-db.yaml";
const selector = "/spec/permissionClaims/0/selector";

/** Findings for a binding accepting `bindingSelector` of a template claiming `templateSelector`. */
const check = (templateSelector: unknown, bindingSelector: unknown) =>
  runChecks([
    repositoryDoc(),
    crdDoc(),
    templateDoc({ claims: [secretsClaim(templateSelector)] }),
    bindingDoc({ claims: [secretsClaim(bindingSelector)] }),
  ]);
const wider = (templateSelector: unknown, bindingSelector: unknown) =>
  where(check(templateSelector, bindingSelector), "binding-claim-wider").map(([, p]) => p);

const labels = (matchLabels: Record<string, string>, matchExpressions: unknown[] = []) => ({
  labelSelector: { matchLabels, matchExpressions },
});

describe("binding claims ⊆ template claims", () => {
  it("reports a claim the template does not make", () => {
    const findings = runChecks([
      repositoryDoc(),
      crdDoc(),
      templateDoc(),
      bindingDoc({
        claims: [{ group: "", resource: "configmaps", selector: labels({ app: "x" }) }],
      }),
    ]);
    assert.deepEqual(where(findings, "binding-claim-not-in-template"), [
      [binding, "/spec/permissionClaims/0"],
    ]);
  });

  it("accepts an equal or narrower label selector", () => {
    assert.deepEqual(wider(labels({ app: "db" }), labels({ app: "db" })), []);
    assert.deepEqual(wider(labels({ app: "db" }), labels({ app: "db", team: "orders" })), []);
    assert.deepEqual(wider({ labelSelector: {} }, labels({ team: "orders" })), []);
  });

  it("reports a label selector that drops or loosens a requirement", () => {
    assert.deepEqual(wider(labels({ app: "db", team: "orders" }), labels({ app: "db" })), [
      `${selector}/labelSelector`,
    ]);
    assert.match(
      messageOf(
        check(labels({ app: "db", team: "orders" }), labels({ app: "db" })),
        "binding-claim-wider",
      ),
      /requires team=orders/,
    );
    assert.deepEqual(wider(labels({ app: "db" }), labels({ app: "web" })), [
      `${selector}/labelSelector`,
    ]);
  });

  it("only covers a match-all label selector with a match-all one", () => {
    assert.deepEqual(wider(labels({ app: "db" }), { labelSelector: {} }), [
      `${selector}/labelSelector`,
    ]);
    assert.deepEqual(wider({ labelSelector: {} }, { labelSelector: {} }), []);
  });

  it("reasons about In, NotIn, Exists and DoesNotExist", () => {
    const exp = (key: string, operator: string, values?: string[]) => ({
      key,
      operator,
      ...(values ? { values } : {}),
    });
    const t = (...e: unknown[]) => labels({}, e);
    // In: the binding's values must be a subset.
    assert.deepEqual(wider(t(exp("env", "In", ["a", "b"])), t(exp("env", "In", ["a"]))), []);
    assert.deepEqual(wider(t(exp("env", "In", ["a", "b"])), labels({ env: "b" })), []);
    assert.notDeepEqual(wider(t(exp("env", "In", ["a"])), t(exp("env", "In", ["a", "c"]))), []);
    // In minus NotIn.
    assert.deepEqual(
      wider(
        t(exp("env", "In", ["a"])),
        t(exp("env", "In", ["a", "c"]), exp("env", "NotIn", ["c"])),
      ),
      [],
    );
    // Exists is implied by a label or In, not by NotIn.
    assert.deepEqual(wider(t(exp("env", "Exists")), labels({ env: "x" })), []);
    assert.notDeepEqual(wider(t(exp("env", "Exists")), t(exp("env", "NotIn", ["x"]))), []);
    // NotIn is implied by DoesNotExist, by In values outside it, or by a wider NotIn.
    assert.deepEqual(wider(t(exp("env", "NotIn", ["prod"])), t(exp("env", "DoesNotExist"))), []);
    assert.deepEqual(wider(t(exp("env", "NotIn", ["prod"])), labels({ env: "dev" })), []);
    assert.deepEqual(
      wider(t(exp("env", "NotIn", ["prod"])), t(exp("env", "NotIn", ["prod", "stage"]))),
      [],
    );
    assert.notDeepEqual(wider(t(exp("env", "NotIn", ["prod"])), labels({ env: "prod" })), []);
    assert.notDeepEqual(wider(t(exp("env", "NotIn", ["prod"])), labels({ app: "x" })), []);
    // DoesNotExist only by DoesNotExist.
    assert.deepEqual(wider(t(exp("env", "DoesNotExist")), t(exp("env", "DoesNotExist"))), []);
    assert.notDeepEqual(wider(t(exp("env", "DoesNotExist")), t(exp("env", "NotIn", ["a"]))), []);
  });

  it("does not let names or references cover labels, nor labels cover names", () => {
    assert.deepEqual(wider({ namedResources: [{ name: "creds" }] }, labels({ app: "db" })), [
      `${selector}/labelSelector`,
    ]);
    assert.deepEqual(wider(labels({ app: "db" }), { namedResources: [{ name: "creds" }] }), [
      `${selector}/namedResources/0`,
    ]);
    assert.deepEqual(wider(labels({ app: "db" }), { references: [referenceToSecretName] }), [
      `${selector}/references/0`,
    ]);
  });

  it("covers every branch by a template label selector that selects everything", () => {
    const everything = { namedResources: [{ name: "creds" }], references: [referenceToSecretName] };
    assert.deepEqual(wider({ labelSelector: {} }, everything), []);
  });

  it("covers named resources by name, a template entry without namespace covering any", () => {
    const named = (...entries: { name: string; namespace?: string }[]) => ({
      namedResources: entries,
    });
    assert.deepEqual(wider(named({ name: "a" }), named({ name: "a", namespace: "ns" })), []);
    assert.deepEqual(
      wider(named({ name: "a", namespace: "ns" }), named({ name: "a", namespace: "ns" })),
      [],
    );
    assert.deepEqual(
      wider(
        named({ name: "a", namespace: "ns" }),
        named({ name: "a" }, { name: "b", namespace: "ns" }),
      ),
      [`${selector}/namedResources/0`, `${selector}/namedResources/1`],
    );
  });

  it("covers a reference only by an equal one with the binding's versions", () => {
    const ref = referenceToSecretName;
    assert.deepEqual(wider({ references: [ref] }, { references: [ref] }), []);
    // Without versions, a reference reads the template resource's versions (v1).
    assert.deepEqual(
      wider({ references: [ref] }, { references: [{ ...ref, versions: ["v1"] }] }),
      [],
    );
    assert.deepEqual(wider({ references: [ref] }, { references: [{ ...ref, versions: ["v2"] }] }), [
      `${selector}/references/0`,
    ]);
    assert.deepEqual(
      wider(
        { references: [ref] },
        { references: [{ ...ref, jsonPath: { name: "spec.secretName" } }] },
      ),
      [`${selector}/references/0`],
    );
  });

  it("accepts a binding that keeps only some branches of the template's selector", () => {
    assert.deepEqual(
      wider(
        { ...labels({ app: "db" }), references: [referenceToSecretName] },
        { references: [referenceToSecretName] },
      ),
      [],
    );
  });

  it("reads the claims through the typed view without letting unreadable entries widen", () => {
    // A requirement without a key cannot be read: the template's selector is not match-all.
    assert.deepEqual(
      wider({ labelSelector: { matchExpressions: [{ operator: "Exists" }] } }, labels({ a: "b" })),
      [`${selector}/labelSelector`],
    );
    assert.deepEqual(
      wider({ labelSelector: { matchLabels: { app: ["db"] } } }, labels({ a: "b" })),
      [`${selector}/labelSelector`],
    );
    // Pointers name the entry as written, even after an entry that has no name.
    assert.deepEqual(
      wider(
        { namedResources: [{ name: "a", namespace: "x" }] },
        { namedResources: [{ namespace: "x" }, { name: "b", namespace: "x" }] },
      ),
      [`${selector}/namedResources/1`],
    );
  });
});
