import assert from "node:assert/strict";
import path from "node:path";
import type { Snapshot } from "../../../src/core/snapshot.js";
import { readFolderSnapshot } from "../../../src/git/read-folder-snapshot.js";
import { renderReport } from "../../../src/report/render-report.js";
import { reportFormats } from "../../../src/report/validate-report.js";
import { validate } from "../../../src/validate/validate.js";
import { repoRoot } from "../../support/repo-root.js";

/** A small, fast, seeded pseudo-random generator (mulberry32): the same seed, the same run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Characters that mean something to YAML, JSON or terminals. */
const hostileCharacters = [..."\t:-{}[],&*!|>\"'#%@`?\0\r\u2028\ufeff\u001b\\ \n"];

/** Lines that exercise the loader's and the checks' corners. */
const hostileLines = [
  "---",
  "...",
  "<<: *anchor",
  "anchored: &anchor {a: 1}",
  "alias: *nowhere",
  "tagged: !custom value",
  "binary: !!binary aGVsbG8=",
  "flag: yes",
  "mode: 0755",
  "empty: null",
  "annotations:",
  "  - item",
  "? complex key",
  "%YAML 1.1",
  `deep: ${"[".repeat(150)}${"]".repeat(150)}`,
  "apiVersion: v1",
  "kind: List",
  "items: [{apiVersion: v1, kind: ConfigMap}]",
  "kind: CustomResourceDefinition",
  "apiVersion: apiextensions.k8s.io/v1",
  "metadata: ~",
  "metadata: {generateName: x-}",
  "spec: []",
  "spec: {namespaces: [{name: a}, {name: a}]}",
  "permissionClaims: [{group: '', resource: secrets, selector: {}}]",
  "pattern: '^([a-z0-9]+)+$'",
  `long: ${"x".repeat(5000)}`,
  "data: {password: hunter2}",
  "\t- tab",
  "key: 'unterminated",
  'k: "\\u12"',
];

const files = (snapshot: Snapshot) =>
  [...snapshot.files].flatMap(([file, bytes]) =>
    bytes instanceof Uint8Array ? [[file, Buffer.from(bytes).toString("utf8")] as const] : [],
  );

/** One random change to a file's text. */
function mutate(text: string, next: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const lines = text.split("\n");
  const at = Math.floor(next() * Math.max(lines.length, 1));
  switch (Math.floor(next() * 8)) {
    case 0: {
      const i = Math.floor(next() * Math.max(text.length, 1));
      return text.slice(0, i) + pick(hostileCharacters) + text.slice(i + 1);
    }
    case 1:
      lines.splice(at, 1);
      return lines.join("\n");
    case 2:
      lines.splice(at, 0, lines[at] ?? "");
      return lines.join("\n");
    case 3: {
      const indent = /^\s*/.exec(lines[at] ?? "")?.[0] ?? "";
      lines.splice(at, 0, indent + pick(hostileLines));
      return lines.join("\n");
    }
    case 4: {
      const other = Math.floor(next() * lines.length);
      [lines[at], lines[other]] = [lines[other] ?? "", lines[at] ?? ""];
      return lines.join("\n");
    }
    case 5:
      lines[at] = next() < 0.5 ? `  ${lines[at] ?? ""}` : (lines[at] ?? "").replace(/^ {1,2}/, "");
      return lines.join("\n");
    case 6:
      return text.slice(0, Math.floor(next() * text.length));
    default: {
      const values = ["0", "-1", "1e400", "true", "null", "[]", "{}", "''", '"\\x"', "*a", "&a x"];
      lines[at] = (lines[at] ?? "").replace(/:\s.*$/, `: ${pick(values)}`);
      return lines.join("\n");
    }
  }
}

describe("validate, fuzzed: seeded mutations of examples/", () => {
  const seed = Number(process.env.BINDOPS_FUZZ_SEED ?? 20251130);
  const runs = Number(process.env.BINDOPS_FUZZ_RUNS ?? 60);
  const examples = readFolderSnapshot(path.join(repoRoot, "examples"));
  const originals = files(examples);

  it(`never crashes or hangs, and places every finding (seed ${seed}, ${runs} runs)`, async function () {
    this.timeout(runs * 10_000);
    const next = random(seed);
    for (let run = 0; run < runs; run++) {
      const changed = new Map(originals);
      const touched: string[] = [];
      for (let n = 1 + Math.floor(next() * 3); n > 0; n--) {
        const [file, text] = originals[Math.floor(next() * originals.length)]!;
        changed.set(file, mutate(changed.get(file) ?? text, next));
        touched.push(file);
      }
      if (next() < 0.2) {
        // The same content as JSON, possibly broken: the JSON loader's corners too.
        const [file, text] = originals[Math.floor(next() * originals.length)]!;
        changed.set(file.replace(/\.ya?ml$/, ".json"), mutate(JSON.stringify({ text }), next));
      }
      const snapshot: Snapshot = {
        ...examples,
        files: new Map([...changed].map(([file, text]) => [file, Buffer.from(text)])),
      };
      const reproduce = `run ${run} of seed ${seed}, files ${touched.join(", ")}`;
      const started = performance.now();
      const report = await validate(snapshot, { toolVersion: "fuzz" }).catch((error: unknown) => {
        assert.fail(`${reproduce}: validate threw (exit 70): ${String(error)}`);
      });
      const ms = performance.now() - started;
      assert.ok(ms < 10_000, `${reproduce}: ${Math.round(ms)} ms`);
      for (const finding of report.findings) {
        const { file, line, col } = finding.location;
        const text = changed.get(file);
        const lineText = text?.replace(/^\ufeff/, "").split(/\r?\n/)[(line ?? 1) - 1];
        assert.ok(
          lineText === undefined || col === undefined || col <= lineText.length + 1,
          `${reproduce}: past the end of line ${line}: ${JSON.stringify(finding)}`,
        );
        assert.ok(
          file !== "" && line !== undefined && line >= 1,
          `${reproduce}: ${JSON.stringify(finding)}`,
        );
      }
      for (const format of reportFormats) renderReport(report, format);
    }
  });
});
