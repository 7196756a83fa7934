import assert from "node:assert/strict";
import { claimInWords } from "../../../src/review/describe-claim.js";
import { permissionClaimOf } from "../../../src/core/service-binding.js";

const kindOf = (group: string, resource: string) =>
  group === "dbaas.example.com" && resource === "postgresclusters" ? "PostgresCluster" : undefined;

const reference = (name: string, namespace?: string) => ({
  group: "dbaas.example.com",
  resource: "postgresclusters",
  jsonPath: { name, ...(namespace === undefined ? {} : { namespace }) },
});

describe("claim wording (claimInWords)", () => {
  it("says a template's Secrets claim the way a consumer reads it", () => {
    const claim = permissionClaimOf({
      group: "",
      resource: "secrets",
      selector: {
        labelSelector: { matchLabels: { app: "orders" } },
        references: [reference("spec.credentialsSecretRef.name", "metadata.namespace")],
      },
    });
    assert.equal(
      claimInWords(claim, { kindOf }),
      "reads and writes Secrets labelled app=orders in the namespaces you bind, and Secrets named by PostgresCluster.spec.credentialsSecretRef",
    );
  });

  it("names the namespaces of a binding, or every namespace when it lists none", () => {
    const claim = permissionClaimOf({
      resource: "configmaps",
      selector: { labelSelector: { matchLabels: { app: "billing" } } },
      direction: "ConsumerToProvider",
    });
    assert.equal(
      claimInWords(claim, { namespaces: ["billing", "billing-reports"] }),
      "reads ConfigMaps labelled app=billing in namespaces billing and billing-reports (copies them to the provider)",
    );
    assert.equal(
      claimInWords(claim, { namespaces: [] }),
      "reads ConfigMaps labelled app=billing in every namespace (copies them to the provider)",
    );
  });

  it("says every object for an empty label selector, and writes for the provider-to-consumer direction", () => {
    const claim = permissionClaimOf({
      resource: "secrets",
      selector: { labelSelector: {} },
      direction: "ProviderToConsumer",
    });
    assert.equal(
      claimInWords(claim, { namespaces: ["orders"] }),
      "writes every Secret in namespace orders into your cluster",
    );
  });

  it("lists named objects with their namespaces, and says when any namespace will do", () => {
    const claim = permissionClaimOf({
      resource: "secrets",
      selector: {
        namedResources: [{ name: "pg", namespace: "orders" }, { name: "ca" }],
      },
    });
    assert.equal(
      claimInWords(claim),
      "reads and writes the Secrets orders/pg and ca (in any namespace)",
    );
  });

  it("joins several references with or, and warns of a reference that does not check the namespace", () => {
    const claim = permissionClaimOf({
      resource: "secrets",
      selector: {
        references: [
          reference("spec.connectionSecretName", "metadata.namespace"),
          reference("spec.backupSecret"),
        ],
      },
    });
    assert.equal(
      claimInWords(claim, { kindOf }),
      "reads and writes Secrets named by PostgresCluster.spec.connectionSecretName or PostgresCluster.spec.backupSecret (in any namespace)",
    );
  });

  it("names a resource of another group by resource and group, and a claim without selector as selecting nothing", () => {
    const withLabels = permissionClaimOf({
      group: "example.com",
      resource: "widgets",
      selector: { labelSelector: { matchExpressions: [{ key: "tier", operator: "Exists" }] } },
    });
    assert.equal(
      claimInWords(withLabels),
      "reads and writes widgets.example.com labelled tier in the namespaces you bind",
    );
    const none = permissionClaimOf({ resource: "secrets", selector: {} });
    assert.equal(claimInWords(none), "selects no Secrets (the claim has no selector)");
  });
});
