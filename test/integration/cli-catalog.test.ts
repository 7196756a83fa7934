import assert from "node:assert/strict";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "yaml";
import { repoRoot } from "../support/repo-root.js";
import { cliPath, runCli } from "../support/run-cli.js";

describe("bindops catalog and bindops bind (CLI)", function () {
  this.timeout(120_000);
  const made: string[] = [];
  /** A copy of examples/, as a consumer team's checkout. */
  const examplesCopy = () => {
    const dir = mkdtempSync(path.join(tmpdir(), "bindops-bind-"));
    made.push(dir);
    cpSync(path.join(repoRoot, "examples"), dir, { recursive: true });
    return dir;
  };
  after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it("explains each template of examples/ in words (text)", async () => {
    const result = await runCli(["catalog", "examples"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^bindops catalog: 1 template \(working-tree\)\n/);
    assert.match(
      result.stdout,
      /dbaas\/databases — Managed PostgreSQL clusters with scheduled and on-demand backups\./,
    );
    assert.match(result.stdout, /PostgresCluster {2}postgresclusters\.dbaas\.example\.com/);
    assert.match(result.stdout, /kubectl get shows Version, Instances, Phase, Ready, Age/);
    assert.match(
      result.stdout,
      /The provider reads and writes Secrets labelled dbaas\.example\.com\/credentials=true in the namespaces you bind, and Secrets named by PostgresCluster\.spec\.credentialsSecretRef or PostgresCluster\.spec\.connectionSecretName\./,
    );
    assert.match(
      result.stdout,
      /Secrets {2}high {2}needs approval under bindops-defaults\/approve-cluster-wide-secrets/,
    );
    assert.match(result.stdout, /orders\/orders-db {2}cluster consumer · orders · no status yet/);
    assert.match(result.stdout, /bindops bind databases --consumer <team>/);
  });

  it("prints JSON for programs and Markdown for a wiki, with the status the reconciler committed", async () => {
    const dir = examplesCopy();
    const status = path.join(dir, "status/consumer");
    mkdirSync(status, { recursive: true });
    writeFileSync(
      path.join(status, "orders-db.yaml"),
      `apiVersion: bindops.dev/v1alpha1
kind: BindingStatus
metadata: {name: orders-db}
spec: {consumer: consumer, binding: orders-db}
status:
  observedRevision: 0123456789abcdef
  phase: Failed
  conditions:
  - {type: Ready, status: "False", reason: RequestFailed, message: no such CRD, lastTransitionTime: "2025-01-01T00:00:00Z"}
`,
    );
    const json = await runCli(["catalog", dir, "-o", "json"]);
    assert.equal(json.code, 0, json.stderr);
    const catalog = JSON.parse(json.stdout) as {
      schema: string;
      templates: {
        id: string;
        claims: { id: string; grade: string; policy: { effect: string } }[];
        bindings: { name: string; status?: { phase: string } }[];
      }[];
    };
    assert.equal(catalog.schema, "bindops.dev/catalog/v1");
    const [template] = catalog.templates;
    assert.equal(template?.id, "dbaas/databases");
    assert.deepEqual(
      template?.claims.map((c) => [c.id, c.grade, c.policy.effect]),
      [
        ["secrets", "high", "require-approval"],
        ["configmaps", "medium", "require-approval"],
      ],
    );
    assert.equal(template?.bindings.find((b) => b.name === "orders-db")?.status?.phase, "Failed");

    const markdown = await runCli(["catalog", dir, "-o", "markdown"]);
    assert.equal(markdown.code, 0, markdown.stderr);
    assert.match(markdown.stdout, /^# Service catalog\n/);
    assert.match(markdown.stdout, /\n## dbaas\/databases\n/);
    assert.match(markdown.stdout, /Failed \(Ready False, RequestFailed: no such CRD\)/);
    assert.match(
      markdown.stdout,
      /```yaml\n# The consumer cluster consumer binds the template databases/,
    );
  });

  it("binds databases for orders: writes a binding that validates, and prints its review", async () => {
    const dir = examplesCopy();
    const result = await runCli(["bind", "databases", "--consumer", "orders", "--name", "new-db"], {
      cwd: dir,
    });
    assert.equal(result.code, 0, result.stderr);
    const file = path.join(dir, "consumers/orders/bindings/new-db.yaml");
    const binding = parse(readFileSync(file, "utf8").split("---\n")[1]!) as {
      metadata: { name: string };
      spec: { consumer: string; provider: string; template: string; permissionClaims: unknown[] };
    };
    assert.equal(binding.metadata.name, "new-db");
    assert.deepEqual(
      [binding.spec.consumer, binding.spec.provider, binding.spec.template],
      ["consumer", "provider", "databases"],
    );
    assert.equal(binding.spec.permissionClaims.length, 2);
    assert.match(result.stdout, /^wrote consumers\/orders\/bindings\/new-db\.yaml: /);
    assert.match(
      result.stdout,
      /What a reviewer sees:\nbindops review: NEEDS APPROVAL — 3 changes/,
    );
    assert.match(
      result.stdout,
      /high {4}Secrets claim added {2}consumers\/orders\/bindings\/new-db\.yaml/,
    );

    const validated = await runCli(["validate", "."], { cwd: dir });
    assert.equal(validated.code, 0, validated.stdout);
    assert.match(validated.stdout, /0 errors/);
  });

  it("asks in a terminal for what it was not told, and writes what was answered", function () {
    // A real terminal: util-linux's script(1) gives the CLI a pseudo-terminal.
    if (!existsSync("/usr/bin/script")) this.skip();
    const dir = examplesCopy();
    const answers = ["", "orders", "tty-db", "y", "n", "team-a, team-b", ""].join("\n");
    const shell = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
    const result = spawnSync(
      "/usr/bin/script",
      ["-qec", `${shell(process.execPath)} ${shell(cliPath)} bind --no-color`, "/dev/null"],
      {
        cwd: dir,
        input: answers,
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, NO_COLOR: "1" },
      },
    );
    assert.equal(result.status, 0, result.stdout + result.stderr);
    // Each question, with its default where it has one.
    for (const asked of [
      /template to bind \(dbaas\/databases\) \[dbaas\/databases\]: /,
      /consumer \(your folder under consumers\/\): /,
      /binding name \[databases\]: /,
      /accept the Secrets claim \(grade high; needs approval\): .*\? \[Y\/n\]: /,
      /accept the ConfigMaps claim .*\? \[Y\/n\]: /,
      /namespaces to confine it to/,
    ]) {
      assert.match(result.stdout, asked);
    }
    const file = path.join(dir, "consumers/orders/bindings/tty-db.yaml");
    const binding = parse(readFileSync(file, "utf8").split("---\n")[1]!) as {
      metadata: { name: string };
      spec: {
        template: string;
        namespaces: { name: string }[];
        permissionClaims: { resource: string }[];
      };
    };
    assert.equal(binding.metadata.name, "tty-db");
    assert.equal(
      binding.spec.template,
      "databases",
      "the default template, taken by a blank answer",
    );
    assert.deepEqual(
      binding.spec.permissionClaims.map((c) => c.resource),
      ["secrets"],
      "only the claim accepted",
    );
    assert.deepEqual(
      binding.spec.namespaces.map((n) => n.name),
      ["team-a", "team-b"],
    );
    assert.match(result.stdout, /wrote consumers\/orders\/bindings\/tty-db\.yaml/);
  });

  it("refuses to overwrite an existing binding without --force (exit 3), and overwrites with it", async () => {
    const dir = examplesCopy();
    const file = path.join(dir, "consumers/orders/bindings/orders-db.yaml");
    const before = readFileSync(file, "utf8");
    const refused = await runCli(
      ["bind", "databases", "--consumer", "orders", "--name", "orders-db"],
      {
        cwd: dir,
      },
    );
    assert.equal(refused.code, 3);
    assert.match(refused.stderr, /consumers\/orders\/bindings\/orders-db\.yaml exists already/);
    assert.match(refused.stderr, /--force/);
    assert.equal(readFileSync(file, "utf8"), before);

    const forced = await runCli(
      [
        "bind",
        "databases",
        "--consumer",
        "orders",
        "--name",
        "orders-db",
        "--claims",
        "secrets",
        "--namespace",
        "orders",
        "--force",
      ],
      { cwd: dir },
    );
    assert.equal(forced.code, 0, forced.stderr);
    assert.notEqual(readFileSync(file, "utf8"), before);
    assert.match(forced.stdout, /Secrets claim/);
  });

  it("says what is wrong with an unknown template, an unknown claim or a bad name (exit 3), and writes nothing", async () => {
    const dir = examplesCopy();
    const cases: [string[], RegExp][] = [
      [["bind", "tables", "--consumer", "orders"], /no template tables in this repository/],
      [
        ["bind", "databases", "--consumer", "orders", "--claims", "widgets"],
        /asks for no claim "widgets"/,
      ],
      [
        ["bind", "databases", "--consumer", "orders", "--name", "New_DB"],
        /--name "New_DB": not a DNS name/,
      ],
      [["bind", "databases", "--consumer", "../evil"], /--consumer "..\/evil": not a DNS label/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args, { cwd: dir });
      assert.equal(result.code, 3, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
    assert.equal(existsSync(path.join(dir, "consumers/orders/bindings/databases.yaml")), false);
  });
});
