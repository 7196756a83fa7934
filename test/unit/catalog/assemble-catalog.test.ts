import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { assembleCatalog } from "../../../src/catalog/assemble-catalog.js";
import { renderCatalog } from "../../../src/catalog/render-catalog.js";
import { repoRoot } from "../../support/repo-root.js";
import { exampleFiles, snapshotOf, type Files } from "../review/fixtures.js";

const defaultPolicies = snapshotOf(
  {
    "bindops-default-policies/defaults.yaml": readFileSync(
      path.join(repoRoot, "policies/defaults.yaml"),
      "utf8",
    ),
  },
  "defaults",
);

const catalogOf = (files: Files) =>
  assembleCatalog({ snapshot: snapshotOf(files, "c".repeat(40)), defaultPolicies });

const ordersStatus = `apiVersion: bindops.dev/v1alpha1
kind: BindingStatus
metadata: {name: orders-db}
spec: {consumer: consumer, binding: orders-db}
status:
  observedRevision: abc123
  phase: Synced
  conditions:
  - {type: Ready, status: "True", reason: Bound, lastTransitionTime: "2025-01-01T00:00:00Z"}
`;

describe("catalog: what each template offers and asks for", () => {
  it("describes the template of examples/: kinds, claims in words, grades, policies, bindings", () => {
    const catalog = catalogOf({ ...exampleFiles, "status/consumer/orders-db.yaml": ordersStatus });
    assert.equal(catalog.templates.length, 1);
    const t = catalog.templates[0]!;
    assert.equal(t.id, "dbaas/databases");
    assert.equal(t.providerCluster, "provider");
    assert.equal(
      t.description,
      "Managed PostgreSQL clusters with scheduled and on-demand backups.",
    );
    assert.deepEqual(
      t.kinds.map((k) => [k.kind, k.versions, k.shortNames]),
      [
        ["PostgresCluster", ["v1alpha1"], ["pgc"]],
        ["PostgresBackup", ["v1alpha1"], ["pgb"]],
      ],
    );
    assert.deepEqual(
      t.kinds[0]!.printerColumns.filter((c) => c.priority > 0).map((c) => c.name),
      ["Endpoint"],
    );
    const [secrets, configmaps] = t.claims;
    assert.match(
      secrets!.words,
      /^reads and writes Secrets labelled dbaas.example.com\/credentials=true in the namespaces you bind, and Secrets named by PostgresCluster.spec.credentialsSecretRef or PostgresCluster.spec.connectionSecretName$/,
    );
    assert.equal(secrets!.grade, "high");
    assert.equal(secrets!.policy.rule, "approve-cluster-wide-secrets");
    assert.equal(configmaps!.policy.rule, "dbaas-init-scripts");
    assert.equal(t.verdict, "require-approval");
    assert.deepEqual(
      t.bindings.map((b) => [b.folder, b.name, b.status?.phase]),
      [
        ["billing", "billing-db", undefined],
        ["orders", "orders-db", "Synced"],
      ],
    );
    assert.equal(t.bindCommand, "bindops bind databases --consumer <team>");
    const snippet = parse(t.snippet.split("---\n")[1]!) as { spec: Record<string, unknown> };
    assert.equal(snippet.spec.consumer, "consumer");
    assert.equal(snippet.spec.provider, "provider");
    assert.equal((snippet.spec.permissionClaims as unknown[]).length, 2);
  });

  it("renders text, markdown and json", () => {
    const catalog = catalogOf(exampleFiles);
    assert.match(renderCatalog(catalog, "text"), /^bindops catalog: 1 template/);
    assert.match(renderCatalog(catalog, "markdown"), /^# Service catalog\n/);
    const json = JSON.parse(renderCatalog(catalog, "json")) as { schema: string };
    assert.equal(json.schema, "bindops.dev/catalog/v1");
  });

  it("is empty for a repository without templates", () => {
    const catalog = catalogOf({ "bindops.yaml": exampleFiles["bindops.yaml"]! });
    assert.deepEqual(catalog.templates, []);
    assert.match(renderCatalog(catalog, "text"), /no APIServiceExportTemplates/);
  });
});
