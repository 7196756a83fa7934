import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { git as runGit } from "../support/git.js";
import { repoRoot } from "../support/repo-root.js";
import { runCli } from "../support/run-cli.js";

const examples = path.join(repoRoot, "examples");

/** A scratch copy of examples/ to break in a test. */
function copyExamples(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "bindops-validate-"));
  cpSync(examples, dir, { recursive: true });
  return dir;
}

describe("bindops validate (the CLI, as CI runs it)", function () {
  this.timeout(60_000);
  const scratch: string[] = [];
  const scratchCopy = () => {
    const dir = copyExamples();
    scratch.push(dir);
    return dir;
  };
  after(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("passes examples/ with exit 0 and a summary line", async () => {
    const result = await runCli(["validate", "examples"]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /0 errors|no problems/);
    assert.doesNotMatch(result.stdout, /: error /);
  });

  it("points at the file and line of a binding that names a template the provider lacks, exit 2", async () => {
    const dir = scratchCopy();
    const file = path.join(dir, "consumers/orders/bindings/orders-db.yaml");
    const text = readFileSync(file, "utf8");
    writeFileSync(file, text.replace("template: databases", "template: caches"));
    const line = text.split("\n").findIndex((l) => l.includes("template: databases")) + 1;
    const result = await runCli(["validate", dir], { cwd: dir });
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      new RegExp(
        `^consumers/orders/bindings/orders-db\\.yaml:${line}:\\d+: error \\[[a-z-]+\\] .*caches`,
        "m",
      ),
    );
  });

  it("reports a syntax error with file and line and still checks the other files", async () => {
    const dir = scratchCopy();
    writeFileSync(path.join(dir, "consumers/orders/bindings/broken.yaml"), "kind: [unclosed\n");
    const policy = path.join(dir, "policies/acme.yaml");
    writeFileSync(policy, readFileSync(policy, "utf8").replace("effect: deny", "effect: maybe"));
    const result = await runCli(["validate", "."], { cwd: dir });
    assert.equal(result.code, 2);
    assert.match(
      result.stdout,
      /^consumers\/orders\/bindings\/broken\.yaml:\d+:\d+: error \[yaml-syntax\]/m,
    );
    assert.match(result.stdout, /^policies\/acme\.yaml:\d+:\d+: error \[schema\] .*effect/m);
  });

  it("speaks every output format", async () => {
    const dir = scratchCopy();
    writeFileSync(
      path.join(dir, "consumers/orders/bindings/extra.yaml"),
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: orders}\ndata: {window: 1:20}\n",
    );
    const json = await runCli(["validate", ".", "-o", "json"], { cwd: dir });
    const parsed = JSON.parse(json.stdout) as {
      summary: { errors: number; warnings: number };
      findings: { rule: string; file: string; line: number }[];
    };
    assert.equal(json.code, 0, json.stdout);
    const yaml11 = parsed.findings.find((f) => f.rule === "yaml11-ambiguous");
    assert.ok(yaml11, "the YAML 1.1 `1:20` is reported");
    assert.equal(yaml11.file, "consumers/orders/bindings/extra.yaml");
    assert.equal(yaml11.line, 4);

    // Run from the parent folder: every SARIF location must still resolve to the real file.
    const sarif = await runCli(["validate", path.basename(dir), "-o", "sarif"], {
      cwd: path.dirname(dir),
    });
    const log = JSON.parse(sarif.stdout) as {
      version: string;
      runs: {
        originalUriBaseIds: Record<string, { uri: string }>;
        results: {
          ruleId: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string; uriBaseId: string } };
          }[];
        }[];
      }[];
    };
    assert.equal(log.version, "2.1.0");
    const run = log.runs[0]!;
    const result = run.results.find((r) => r.ruleId === "yaml11-ambiguous");
    assert.ok(result);
    const { uri, uriBaseId } = result.locations[0]!.physicalLocation.artifactLocation;
    const base = run.originalUriBaseIds[uriBaseId]!.uri;
    const resolved = new URL(uri, base);
    assert.equal(
      readFileSync(resolved, "utf8").split("\n")[3],
      "data: {window: 1:20}",
      `${uri} against ${base}`,
    );

    const github = await runCli(["validate", ".", "-o", "github"], { cwd: dir });
    assert.match(
      github.stdout,
      /^::warning file=consumers\/orders\/bindings\/extra\.yaml,line=4,col=\d+,title=yaml11-ambiguous::/m,
    );

    const junit = await runCli(["validate", ".", "-o", "junit"], { cwd: dir });
    assert.match(junit.stdout, /^<\?xml/);
    assert.match(junit.stdout, /<testcase [^>]*name="ServiceBinding\/orders-db"/);
  });

  it("names files relative to where it runs, as GitHub annotations need", async () => {
    const dir = scratchCopy();
    const file = path.join(dir, "consumers/orders/bindings/orders-db.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace("template: databases", "template: caches"),
    );
    const result = await runCli(["validate", path.basename(dir), "-o", "github"], {
      cwd: path.dirname(dir),
    });
    assert.equal(result.code, 2);
    assert.match(
      result.stdout,
      new RegExp(
        `^::error file=${path.basename(dir)}/consumers/orders/bindings/orders-db\\.yaml,line=\\d+`,
        "m",
      ),
    );
  });

  it("validates a file or folder inside a repository in the repository's context, named from where it runs", async () => {
    const dir = scratchCopy();
    const billing = path.join(dir, "consumers/billing/bindings/billing-db.yaml");
    // Broken elsewhere in the repository: not reported when validating the orders binding.
    writeFileSync(
      billing,
      readFileSync(billing, "utf8").replace("template: databases", "template: gone"),
    );
    const orders = path.join(dir, "consumers/orders");
    const file = await runCli(["validate", "bindings/orders-db.yaml"], { cwd: orders });
    assert.equal(file.code, 0, file.stdout + file.stderr);
    assert.doesNotMatch(file.stdout, /binding-unknown-template|repository-missing|billing/);
    assert.match(file.stdout, /in 1 file \(1 document\)/);

    writeFileSync(
      path.join(orders, "bindings/orders-db.yaml"),
      readFileSync(path.join(orders, "bindings/orders-db.yaml"), "utf8").replace(
        "template: databases",
        "template: caches",
      ),
    );
    for (const [cwd, given, shown] of [
      [orders, "bindings/orders-db.yaml", "bindings/orders-db.yaml"],
      [orders, ".", "bindings/orders-db.yaml"],
      [path.join(orders, "bindings"), "orders-db.yaml", "orders-db.yaml"],
      [dir, "consumers/orders", "consumers/orders/bindings/orders-db.yaml"],
    ] as const) {
      const result = await runCli(["validate", given], { cwd });
      assert.equal(result.code, 2, `${given} in ${cwd}: ${result.stdout}${result.stderr}`);
      assert.match(
        result.stdout,
        new RegExp(
          `^${shown.replaceAll(".", "\\.")}:\\d+:\\d+: error \\[binding-unknown-template\\] .*caches`,
          "m",
        ),
      );
      assert.doesNotMatch(result.stdout, /billing|\.\.\//);
    }
  });

  it("without --root and without bindops.yaml above it, the first path is the root: its .bindopsignore counts", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "bindops-validate-"));
    scratch.push(dir);
    mkdirSync(path.join(dir, "manifests/drafts"), { recursive: true });
    writeFileSync(path.join(dir, "manifests/.bindopsignore"), "drafts/\n");
    writeFileSync(path.join(dir, "manifests/drafts/broken.yaml"), "kind: [unclosed\n");
    writeFileSync(
      path.join(dir, "manifests/cm.yaml"),
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {a: b}\n",
    );
    const result = await runCli(["validate", "manifests"], { cwd: dir });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /no problems in 1 file/);
  });

  it("reads manifests from standard input with -, in the context of the repository around it", async () => {
    const dir = scratchCopy();
    const binding = readFileSync(
      path.join(dir, "consumers/orders/bindings/orders-db.yaml"),
      "utf8",
    );
    const rendered = `# rendered\n${binding.replace("name: orders-db", "name: orders-db-2")}`;
    const ok = await runCli(["validate", "-"], {
      cwd: path.join(dir, "consumers"),
      input: rendered,
    });
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /in 1 file \(1 document\)/);

    const broken = rendered.replace("template: databases", "template: caches");
    const line = broken.split("\n").findIndex((l) => l.includes("template: caches")) + 1;
    const result = await runCli(["validate", "-"], { cwd: dir, input: broken });
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      new RegExp(`^<stdin>:${line}:\\d+: error \\[binding-unknown-template\\]`, "m"),
    );
    assert.doesNotMatch(result.stdout, /consumers\//);

    // Outside any repository: the manifests alone.
    const alone = mkdtempSync(path.join(tmpdir(), "bindops-validate-"));
    scratch.push(alone);
    const configMap = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  x: 1\n";
    const json = await runCli(["validate", "-", "-o", "json"], { cwd: alone, input: configMap });
    assert.equal(json.code, 2, json.stdout + json.stderr);
    const parsed = JSON.parse(json.stdout) as { findings: { file: string; line: number }[] };
    assert.deepEqual(
      parsed.findings.map((f) => `${f.file}:${f.line}`),
      ["<stdin>:5"],
    );
    const github = await runCli(["validate", "-", "-o", "sarif"], { cwd: alone, input: configMap });
    assert.equal(github.code, 2, github.stderr);
  });

  it("with --changed-since reports only changed files and what they touch", async () => {
    const dir = scratchCopy();
    const git = (...args: string[]) => runGit(dir, ...args);
    git("init", "-q", "-b", "main");
    // A broken binding committed before the base revision is not reported...
    const billing = path.join(dir, "consumers/billing/bindings/billing-db.yaml");
    writeFileSync(
      billing,
      readFileSync(billing, "utf8").replace("template: databases", "template: gone"),
    );
    git("add", ".");
    git("commit", "-qm", "base");
    // ...but a binding changed since, and a new one, are.
    const orders = path.join(dir, "consumers/orders/bindings/orders-db.yaml");
    writeFileSync(
      orders,
      readFileSync(orders, "utf8").replace("template: databases", "template: caches"),
    );
    const all = await runCli(["validate", "."], { cwd: dir });
    assert.match(all.stdout, /billing-db\.yaml/);
    const changed = await runCli(["validate", ".", "--changed-since", "HEAD"], { cwd: dir });
    assert.equal(changed.code, 2, changed.stdout + changed.stderr);
    assert.match(changed.stdout, /orders-db\.yaml:\d+:\d+: error .*caches/);
    assert.doesNotMatch(changed.stdout, /billing-db\.yaml/);

    // Deleting what a binding references breaks the binding, which did not change: a deletion
    // makes it a full run.
    git("commit", "-qam", "orders");
    rmSync(path.join(dir, "providers/dbaas/templates/databases.yaml"));
    const deleted = await runCli(["validate", ".", "--changed-since", "HEAD"], { cwd: dir });
    assert.equal(deleted.code, 2, deleted.stdout + deleted.stderr);
    assert.match(deleted.stdout, /orders-db\.yaml:\d+:\d+: error \[binding-unknown-template\]/);
    assert.match(deleted.stderr, /deleted since HEAD.*validating everything/);

    const unknown = await runCli(["validate", ".", "--changed-since", "no-such-rev"], { cwd: dir });
    assert.equal(unknown.code, 3);
    assert.match(unknown.stderr, /no-such-rev/);
  });

  it("does not obey a ClaimPolicy outside policies/: a team cannot approve its own claims", async () => {
    const dir = scratchCopy();
    const bindings = path.join(dir, "consumers/orders/bindings");
    // A binding that claims every Secret, which the shipped defaults deny...
    writeFileSync(
      path.join(bindings, "everything.yaml"),
      [
        "apiVersion: bindops.dev/v1alpha1",
        "kind: ServiceBinding",
        "metadata: {name: everything}",
        "spec:",
        "  consumer: consumer",
        "  provider: provider",
        "  template: databases",
        "  namespaces: [{name: orders}]",
        "  permissionClaims:",
        '    - {group: "", resource: secrets, selector: {labelSelector: {}}}',
        "",
      ].join("\n"),
    );
    // ...and let the team try to allow it with a policy of its own, beside its bindings.
    writeFileSync(
      path.join(bindings, "aaa-approve.yaml"),
      [
        "apiVersion: bindops.dev/v1alpha1",
        "kind: ClaimPolicy",
        "metadata: {name: aaa-approve}",
        "spec:",
        "  rules:",
        "    - {name: all, effect: allow, reason: trust us, match: {}}",
        "",
      ].join("\n"),
    );
    const result = await runCli(["validate", "."], { cwd: dir });
    assert.equal(result.code, 2, result.stdout);
    assert.match(
      result.stdout,
      /^consumers\/orders\/bindings\/aaa-approve\.yaml:\d+:\d+: error \[policy-outside-policies-folder\]/m,
    );
    assert.match(result.stdout, /everything\.yaml:\d+:\d+: error \[policy-denied\]/);
  });

  it("refuses usage mistakes with exit 3", async () => {
    const missing = await runCli(["validate", "no/such/folder"]);
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /does not exist/);
    const count = await runCli(["validate", "examples", "--max-documents", "many"]);
    assert.equal(count.code, 3);
    assert.match(count.stderr, /--max-documents many: not a count/);
    const format = await runCli(["validate", "examples", "-o", "yaml"]);
    assert.equal(format.code, 3);
    assert.match(format.stderr, /yaml/);
  });

  it("ignores tooling folders such as .github", async () => {
    const dir = scratchCopy();
    cpSync(path.join(repoRoot, ".github"), path.join(dir, ".github"), { recursive: true });
    const result = await runCli(["validate", "."], { cwd: dir });
    assert.equal(result.code, 0, result.stdout);
    assert.doesNotMatch(result.stdout, /\.github/);
  });
});
