import assert from "node:assert/strict";
import type { Consent, ExportResource } from "../../../src/core/kube-bind-objects.js";
import type { KubeObject } from "../../../src/core/kube-object.js";
import { permissionClaimOf } from "../../../src/core/service-binding.js";
import {
  acceptedClaims,
  allowsDirection,
  isClaimed,
  referencedKeys,
  type AcceptedClaim,
  type ClaimCandidate,
  type ReferencingObjects,
} from "../../../src/sync/claim-match.js";

const exported: ExportResource[] = [
  { group: "example.com", resource: "databases", versions: ["v1"] },
];

/** A Secrets claim as the konnector reads it from the export. */
const secretsClaim = (selector: unknown) =>
  permissionClaimOf({ group: "", resource: "secrets", selector });

/** The Secrets claim as a binding accepts it; without consent, by kube-bind's rules. */
const accept = (selector: unknown, consent?: Consent): AcceptedClaim => {
  const [accepted] = acceptedClaims([secretsClaim(selector)], consent, exported);
  assert.ok(accepted, "the claim is accepted");
  return accepted;
};

const secret = (
  namespace: string,
  name: string,
  labels?: Record<string, string>,
): ClaimCandidate => ({ namespace, name, ...(labels ? { labels } : {}) });

const database = (
  namespace: string,
  spec: Record<string, unknown>,
  apiVersion = "example.com/v1",
): KubeObject => ({
  apiVersion,
  kind: "Database",
  metadata: { name: "orders", ...(namespace ? { namespace } : {}) },
  spec,
});

const noObjects: ReferencingObjects = () => [];

/** The consumer's databases, the only kind references may point from here. */
const databases =
  (...objects: KubeObject[]): ReferencingObjects =>
  (group, resource) =>
    group === "example.com" && resource === "databases" ? objects : [];

const reference = (jsonPath: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  references: [{ group: "example.com", resource: "databases", jsonPath, ...extra }],
});

describe("acceptedClaims", () => {
  const configMaps = permissionClaimOf({ group: "", resource: "configmaps", selector: {} });

  it("accepts every claim in both directions and any namespace for a binding without consent", () => {
    const accepted = acceptedClaims([secretsClaim({}), configMaps], undefined, exported);
    assert.deepEqual(
      accepted.map((a) => [a.claim.resource, a.direction, a.namespaces]),
      [
        ["secrets", "Both", undefined],
        ["configmaps", "Both", undefined],
      ],
    );
    assert.deepEqual(accepted[0]!.exportedResources, exported);
  });

  it("accepts only the claims the consent lists, in the direction it states", () => {
    const consent: Consent = {
      claims: [{ group: "", resource: "secrets", direction: "ConsumerToProvider" }],
    };
    const accepted = acceptedClaims([secretsClaim({}), configMaps], consent, exported);
    assert.deepEqual(
      accepted.map((a) => [a.claim.resource, a.direction]),
      [["secrets", "ConsumerToProvider"]],
    );
  });

  it("does not accept a claim the consent lists under another group", () => {
    const consent: Consent = {
      claims: [{ group: "example.com", resource: "secrets", direction: "Both" }],
    };
    assert.deepEqual(acceptedClaims([secretsClaim({})], consent, exported), []);
  });

  it("accepts nothing under a consent that lists no claims (an unreadable one)", () => {
    assert.deepEqual(acceptedClaims([secretsClaim({}), configMaps], { claims: [] }, exported), []);
  });

  it("limits the claims to the consented namespaces, and to none when it names none", () => {
    const claims = [{ group: "", resource: "secrets", direction: "Both" as const }];
    const [limited] = acceptedClaims(
      [secretsClaim({})],
      { namespaces: ["team-a"], claims },
      exported,
    );
    assert.deepEqual([...limited!.namespaces!], ["team-a"]);
    const [open] = acceptedClaims([secretsClaim({})], { claims }, exported);
    assert.equal(open!.namespaces, undefined);
  });
});

describe("allowsDirection", () => {
  const claims = (direction: "Both" | "ProviderToConsumer" | "ConsumerToProvider") =>
    accept({}, { claims: [{ group: "", resource: "secrets", direction }] });

  it("lets objects flow both ways under Both", () => {
    assert.equal(allowsDirection(claims("Both"), "ConsumerToProvider"), true);
    assert.equal(allowsDirection(claims("Both"), "ProviderToConsumer"), true);
  });

  it("lets objects flow only the consented way otherwise", () => {
    assert.equal(allowsDirection(claims("ConsumerToProvider"), "ConsumerToProvider"), true);
    assert.equal(allowsDirection(claims("ConsumerToProvider"), "ProviderToConsumer"), false);
    assert.equal(allowsDirection(claims("ProviderToConsumer"), "ProviderToConsumer"), true);
    assert.equal(allowsDirection(claims("ProviderToConsumer"), "ConsumerToProvider"), false);
  });
});

describe("isClaimed", () => {
  it("claims a Secret whose labels match, and not one whose labels do not", () => {
    const claim = accept({ labelSelector: { matchLabels: { "example.com/credentials": "true" } } });
    const labelled = secret("team-a", "db-creds", { "example.com/credentials": "true" });
    assert.equal(isClaimed(claim, labelled, noObjects), true);
    assert.equal(isClaimed(claim, secret("team-a", "tls", { app: "web" }), noObjects), false);
    assert.equal(isClaimed(claim, secret("team-a", "unlabelled"), noObjects), false);
  });

  it("claims a Secret any one branch selects (the branches are OR'ed)", () => {
    const claim = accept({
      labelSelector: { matchLabels: { "example.com/credentials": "true" } },
      namedResources: [{ name: "named" }],
      ...reference({ name: "spec.secretName" }),
    });
    const referencing = databases(database("team-a", { secretName: "referenced" }));
    assert.equal(
      isClaimed(
        claim,
        secret("team-a", "labelled", { "example.com/credentials": "true" }),
        referencing,
      ),
      true,
    );
    assert.equal(isClaimed(claim, secret("team-a", "named"), referencing), true);
    assert.equal(isClaimed(claim, secret("team-a", "referenced"), referencing), true);
    assert.equal(isClaimed(claim, secret("team-a", "other"), referencing), false);
  });

  it("claims nothing with an empty selector", () => {
    for (const selector of [{}, { namedResources: [], references: [] }, undefined]) {
      const claim = accept(selector);
      assert.equal(isClaimed(claim, secret("team-a", "db-creds"), noObjects), false);
      assert.equal(isClaimed(claim, secret("team-a", "x", { app: "orders" }), noObjects), false);
    }
  });

  it("claims every Secret with an empty label selector, as the API server reads one", () => {
    const claim = accept({ labelSelector: {} });
    assert.equal(isClaimed(claim, secret("team-a", "anything"), noObjects), true);
  });

  it("claims no Secret with a label selector it could not read", () => {
    const claim = accept({
      labelSelector: { matchLabels: { "example.com/credentials": ["true"] } },
    });
    assert.equal(isClaimed(claim, secret("team-a", "db-creds", {}), noObjects), false);
  });

  it("claims no Secret outside the consented namespaces, whatever selects it", () => {
    const claim = accept(
      { labelSelector: {}, namedResources: [{ name: "db-creds" }] },
      { namespaces: ["team-a"], claims: [{ group: "", resource: "secrets", direction: "Both" }] },
    );
    assert.equal(isClaimed(claim, secret("team-a", "db-creds"), noObjects), true);
    assert.equal(isClaimed(claim, secret("team-b", "db-creds"), noObjects), false);
    assert.equal(isClaimed(claim, secret("kube-system", "anything"), noObjects), false);
  });

  it("claims a named Secret in the namespace the entry names, or in any when it names none", () => {
    const claim = accept({
      namedResources: [{ name: "db-creds", namespace: "team-a" }, { name: "shared-ca" }],
    });
    assert.equal(isClaimed(claim, secret("team-a", "db-creds"), noObjects), true);
    assert.equal(isClaimed(claim, secret("team-b", "db-creds"), noObjects), false);
    assert.equal(isClaimed(claim, secret("team-a", "shared-ca"), noObjects), true);
    assert.equal(isClaimed(claim, secret("team-b", "shared-ca"), noObjects), true);
    assert.equal(isClaimed(claim, secret("team-a", "db-creds-2"), noObjects), false);
  });

  it("follows references only from an exported resource", () => {
    const claim = accept({
      references: [
        { group: "example.com", resource: "caches", jsonPath: { name: "spec.secretName" } },
      ],
    });
    const everything: ReferencingObjects = () => [database("team-a", { secretName: "db-creds" })];
    assert.equal(isClaimed(claim, secret("team-a", "db-creds"), everything), false);
  });

  it("follows references from the versions the reference names, else the export's", () => {
    const v1 = database("team-a", { secretName: "db-creds" });
    const v2 = database("team-a", { secretName: "db-creds" }, "example.com/v2");
    const byExport = accept(reference({ name: "spec.secretName" }));
    assert.equal(isClaimed(byExport, secret("team-a", "db-creds"), databases(v1)), true);
    assert.equal(isClaimed(byExport, secret("team-a", "db-creds"), databases(v2)), false);
    const byReference = accept(reference({ name: "spec.secretName" }, { versions: ["v2"] }));
    assert.equal(isClaimed(byReference, secret("team-a", "db-creds"), databases(v1)), false);
    assert.equal(isClaimed(byReference, secret("team-a", "db-creds"), databases(v2)), true);
  });

  it("follows references in any version when neither the reference nor the export names one", () => {
    const [claim] = acceptedClaims(
      [secretsClaim(reference({ name: "spec.secretName" }))],
      undefined,
      [{ group: "example.com", resource: "databases" }],
    );
    const v2 = database("team-a", { secretName: "db-creds" }, "example.com/v2");
    assert.equal(isClaimed(claim!, secret("team-a", "db-creds"), databases(v2)), true);
  });

  it("claims a referenced Secret only in the referencing object's namespace when the reference gives no namespace path", () => {
    const claim = accept(reference({ name: "spec.secretName" }));
    const referencing = databases(database("team-a", { secretName: "db-creds" }));
    assert.equal(isClaimed(claim, secret("team-a", "db-creds"), referencing), true);
    // kube-bind would claim a Secret of that name in every namespace.
    assert.equal(isClaimed(claim, secret("team-b", "db-creds"), referencing), false);
  });

  it("claims every Secret a list of references names, in the namespaces the namespace path gives", () => {
    const claim = accept(
      reference({ name: "spec.secretRefs.#.name", namespace: "spec.secretRefs.#.namespace" }),
    );
    const referencing = databases(
      database("team-a", {
        secretRefs: [
          { name: "db-creds", namespace: "team-b" },
          { name: "tls", namespace: "team-c" },
        ],
      }),
    );
    assert.equal(isClaimed(claim, secret("team-b", "db-creds"), referencing), true);
    assert.equal(isClaimed(claim, secret("team-c", "tls"), referencing), true);
    assert.equal(isClaimed(claim, secret("team-a", "db-creds"), referencing), false);
    assert.equal(isClaimed(claim, secret("team-b", "other"), referencing), false);
  });

  it("does not claim the Secrets a list names through a final `#`, which gjson reads as its length", () => {
    const claim = accept(reference({ name: "spec.secretNames.#" }));
    const referencing = databases(database("team-a", { secretNames: ["db-creds", "tls"] }));
    assert.equal(isClaimed(claim, secret("team-a", "db-creds"), referencing), false);
    assert.equal(isClaimed(claim, secret("team-a", "tls"), referencing), false);
  });

  it("claims nothing through a reference whose namespace path does not resolve", () => {
    const claim = accept(reference({ name: "spec.secretName", namespace: "spec.secretNamespace" }));
    const referencing = databases(database("team-a", { secretName: "db-creds" }));
    // kube-bind would then check no namespace at all.
    assert.equal(isClaimed(claim, secret("team-a", "db-creds"), referencing), false);
    assert.equal(isClaimed(claim, secret("team-b", "db-creds"), referencing), false);
  });

  it("claims nothing through a reference whose name path does not resolve", () => {
    const claim = accept(reference({ name: "spec.credentials.name" }));
    const referencing = databases(database("team-a", { secretName: "db-creds" }));
    assert.equal(isClaimed(claim, secret("team-a", "db-creds"), referencing), false);
  });

  it("ignores the kube-bind.io/owner label: it neither claims a Secret nor keeps one claimed", () => {
    const claim = accept({ labelSelector: { matchLabels: { "example.com/credentials": "true" } } });
    const copied = secret("team-a", "no-longer-matching", { "kube-bind.io/owner": "consumer" });
    assert.equal(isClaimed(claim, copied, noObjects), false);
    const fresh = secret("team-a", "matching", { "example.com/credentials": "true" });
    assert.equal(isClaimed(claim, fresh, noObjects), true);
  });
});

describe("referencedKeys", () => {
  const kind = { group: "example.com", resource: "databases" };

  it("gives the Secrets a referencing object points at, in its own namespace by default", () => {
    const claim = accept(reference({ name: "spec.secretNames" }));
    const from = database("team-a", { secretNames: ["db-creds", "tls"] });
    assert.deepEqual(referencedKeys(claim, from, kind), ["team-a/db-creds", "team-a/tls"]);
  });

  it("gives a cluster-scoped referencing object's references without a namespace", () => {
    const claim = accept(reference({ name: "spec.secretName" }));
    assert.deepEqual(referencedKeys(claim, database("", { secretName: "x" }), kind), ["x"]);
  });

  it("pairs every name with every namespace the namespace path gives", () => {
    const claim = accept(reference({ name: "spec.secretName", namespace: "spec.namespaces" }));
    const from = database("team-a", { secretName: "db-creds", namespaces: ["team-b", "team-c"] });
    assert.deepEqual(referencedKeys(claim, from, kind), ["team-b/db-creds", "team-c/db-creds"]);
  });

  it("gives nothing for another kind, or for paths that do not resolve", () => {
    const claim = accept(reference({ name: "spec.secretName", namespace: "spec.namespace" }));
    const from = database("team-a", { secretName: "db-creds" });
    assert.deepEqual(referencedKeys(claim, from, { group: "example.com", resource: "caches" }), []);
    assert.deepEqual(referencedKeys(claim, from, kind), []);
    assert.deepEqual(referencedKeys(accept(reference({ name: "spec.x" })), from, kind), []);
  });
});
