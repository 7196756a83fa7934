import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { repoRoot } from "../../support/repo-root.js";

const fixtures = path.join(repoRoot, "test/lint-fixtures");

/**
 * Each fixture names the file of src it stands for (`// path:`) and the rule that must reject it,
 * with part of the message (`// expect: rule: message`). It is linted with the project's own
 * config as if it were that file, so the layer rules are proven to hold, not only written down.
 */
function readFixture(name: string): { text: string; file: string; rule: string; message: string } {
  const text = readFileSync(path.join(fixtures, name), "utf8");
  const file = /^\/\/ path: (\S+)$/m.exec(text)?.[1];
  const expect = /^\/\/ expect: ([\w@/-]+): (.+)$/m.exec(text);
  assert.ok(file && expect, `${name} says its path and the rule it expects`);
  return { text, file, rule: expect[1]!, message: expect[2]! };
}

describe("layer rules (ESLint, on test/lint-fixtures)", function () {
  this.timeout(120_000);
  // The project's config, without type information: a fixture is no file of the TypeScript
  // project, and the layer rules read import specifiers only.
  const eslint = new ESLint({
    cwd: repoRoot,
    overrideConfig: [tseslint.configs.disableTypeChecked],
  });
  const names = readdirSync(fixtures).filter((n) => n.endsWith(".ts"));

  it("has a fixture for each hole and each coming folder", () => {
    const folders = new Set(names.map((n) => n.split("-")[0]));
    for (const folder of ["core", "schema", "policy", "checks", "manifests", "validate"]) {
      assert.ok(folders.has(folder), folder);
    }
    for (const folder of ["git", "plan", "backend", "sync", "review", "server"]) {
      assert.ok(folders.has(folder), folder);
    }
  });

  for (const name of names) {
    it(`rejects ${name.replace(/\.ts$/, "")}`, async () => {
      const fixture = readFixture(name);
      const [result] = await eslint.lintText(fixture.text, {
        filePath: path.join(repoRoot, fixture.file),
      });
      const messages = result?.messages ?? [];
      const fired = messages.filter(
        (m) => m.ruleId === fixture.rule && m.message.includes(fixture.message),
      );
      assert.ok(
        fired.length > 0,
        `${fixture.rule} "${fixture.message}" expected; got ${JSON.stringify(messages.map((m) => [m.ruleId, m.message]))}`,
      );
    });
  }

  it("lets the same imports through where DESIGN allows them", async () => {
    const allowed: [string, string][] = [
      [
        "src/validate/fixture.ts",
        'import { runChecks } from "../checks/index.js";\nexport const used = runChecks;\n',
      ],
      [
        "src/git/fixture.ts",
        'import { simpleGit } from "simple-git";\nexport const used = simpleGit;\n',
      ],
      ["src/dev/fixture.ts", 'import { kill } from "node:process";\nexport const used = kill;\n'],
      [
        "src/review/github/fixture.ts",
        'import { Octokit } from "octokit";\nexport const used = Octokit;\n',
      ],
      ["src/cli/fixture.ts", 'import { env } from "node:process";\nexport const used = env;\n'],
    ];
    for (const [file, text] of allowed) {
      const [result] = await eslint.lintText(text, { filePath: path.join(repoRoot, file) });
      const restricted = (result?.messages ?? []).filter((m) =>
        m.ruleId?.startsWith("no-restricted"),
      );
      assert.deepEqual(restricted, [], file);
    }
  });
});
