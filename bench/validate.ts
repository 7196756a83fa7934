/**
 * The validate benchmark. Generates a realistic bindops repository of N documents (default 10,000
 * across 2,000 files: custom resources of the examples' database API, ServiceBindings,
 * APIServiceExportRequests and ConfigMaps, next to the examples' CRDs, template and policies) and
 * times, as whole processes in the same run:
 *
 *   js-yaml     a bare js-yaml loadAll of every file (the floor)
 *   yaml        a bare `yaml` parseAllDocuments of every file
 *   bindops     `bindops validate` of the repository (exit 0 expected)
 *
 * Each is run several times; the median wall time, its ratio to the floor and the peak RSS are
 * printed, then the phases of one in-process run of `validate`. Run with
 * `npm run bench -- --docs 10000 --files 2000 --runs 5`; `--baseline DIR` adds another build of
 * bindops (DIR/dist/cli/main.js) as a subject, to compare before and after a change in one run;
 * `KUBECONFORM=path` adds kubeconform (schemas only, offline, against schemas of the corpus's
 * ConfigMaps and custom resources written next to the corpus) as a subject. Subjects take turns, run by
 * run, so that other work on the machine slows them alike.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { readFolderSnapshot as ReadFolderSnapshot } from "../src/git/read-folder-snapshot.js";
import type { validate as Validate } from "../src/validate/validate.js";
import { generateCorpus } from "./corpus.js";
import { kubeconformSchemaLocation, writeKubeconformSchemas } from "./kubeconform-schemas.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    docs: { type: "string", default: "10000" },
    files: { type: "string", default: "2000" },
    runs: { type: "string", default: "5" },
    dir: { type: "string" },
    baseline: { type: "string" },
  },
});
const docs = Number(values.docs);
const files = Number(values.files);
const runs = Number(values.runs);
if (!(docs > 0 && files > 0 && runs > 0 && docs >= files)) {
  throw new Error("--docs, --files and --runs must be positive, with docs >= files");
}

const cli = path.join(repoRoot, "dist/cli/main.js");
if (!existsSync(cli)) throw new Error("build first: npm run build");

const corpus = values.dir ?? path.join(repoRoot, "bench/.corpus", `${docs}-${files}`);
generateCorpus(corpus, docs, files);

interface Subject {
  name: string;
  args: string[];
  /** A program other than node (kubeconform): its peak RSS is measured with /usr/bin/time. */
  program?: string;
  expectExit: number;
}
const subjects: Subject[] = [
  {
    name: "js-yaml loadAll (floor)",
    args: [path.join(repoRoot, "bench/floor-js-yaml.mjs"), corpus],
    expectExit: 0,
  },
  {
    name: "yaml parseAllDocuments",
    args: [path.join(repoRoot, "bench/floor-yaml.mjs"), corpus],
    expectExit: 0,
  },
  { name: "bindops validate", args: [cli, "validate", corpus, "-o", "json"], expectExit: 0 },
  // What every run pays before its first document: node's start-up, then bindops's (an empty
  // repository).
  { name: "node (empty script)", args: ["-e", ""], expectExit: 0 },
  {
    name: "bindops validate (empty)",
    args: [cli, "validate", emptyRepository(), "-o", "json"],
    expectExit: 0,
  },
];
if (values.baseline !== undefined) {
  // Another build of bindops (a folder holding dist/, policies/ and package.json, with
  // node_modules reachable), timed in the same run: before and after a change.
  const baseline = path.resolve(values.baseline, "dist/cli/main.js");
  if (!existsSync(baseline)) throw new Error(`--baseline: no ${baseline}`);
  subjects.push({
    name: "bindops validate (baseline)",
    args: [baseline, "validate", corpus, "-o", "json"],
    expectExit: 0,
  });
}

const kubeconform = process.env.KUBECONFORM;
if (kubeconform !== undefined && kubeconform !== "") {
  // Schemas only, strict, with 4 workers, offline: ConfigMaps and the examples' custom resources
  // against schemas in a local folder; kinds it has no schema for (ours, kube-bind's) are skipped,
  // so it does less than bindops here.
  const schemas = path.join(path.dirname(corpus), `kubeconform-schemas`);
  writeKubeconformSchemas(schemas, path.join(corpus, "providers/dbaas/crds"));
  subjects.push({
    name: "kubeconform -strict",
    program: kubeconform,
    args: [
      "-strict",
      "-summary",
      "-ignore-missing-schemas",
      "-schema-location",
      kubeconformSchemaLocation(schemas),
      "-n",
      "4",
      corpus,
    ],
    expectExit: 0,
  });
}

console.log(
  `corpus: ${docs} documents in ${files} files (+ examples' CRDs, template, policies) at ${corpus}`,
);
console.log(`runs: ${runs} per subject, median reported; node ${process.version}\n`);

const results = measureAll(subjects);
const floor = results[0]!.medianMs;
const kubeconformMs = results.find((r) => r.name.startsWith("kubeconform"))?.medianMs;
const pad = (s: string, n: number) => s.padEnd(n);
console.log(
  pad("subject", 30) +
    pad("median ms", 12) +
    pad("min ms", 10) +
    pad("× floor", 10) +
    (kubeconformMs === undefined ? "" : pad("× kubeconform", 15)) +
    "peak RSS MiB",
);
for (const r of results) {
  console.log(
    pad(r.name, 30) +
      pad(r.medianMs.toFixed(0), 12) +
      pad(r.minMs.toFixed(0), 10) +
      pad((r.medianMs / floor).toFixed(2), 10) +
      (kubeconformMs === undefined ? "" : pad((r.medianMs / kubeconformMs).toFixed(2), 15)) +
      (r.peakRssKiB > 0 ? (r.peakRssKiB / 1024).toFixed(0) : "-"),
  );
}

// Where the time of one run goes: reading the snapshot, then validate's phases, in this process
// (cold, like the CLI's one run; node's own start-up and the CLI's are not in them).
{
  const dist = (file: string) => pathToFileURL(path.join(repoRoot, "dist", file)).href;
  const { readFolderSnapshot } = (await import(dist("git/read-folder-snapshot.js"))) as {
    readFolderSnapshot: typeof ReadFolderSnapshot;
  };
  const { validate } = (await import(dist("validate/validate.js"))) as {
    validate: typeof Validate;
  };
  const phases: [string, number][] = [];
  const started = performance.now();
  const snapshot = readFolderSnapshot(corpus);
  const policies = readFolderSnapshot(path.join(repoRoot, "policies"));
  phases.push(["read snapshot", performance.now() - started]);
  const report = await validate(snapshot, {
    defaultPolicies: policies,
    toolVersion: "bench",
    onPhase: (phase, ms) => phases.push([phase, ms]),
  });
  console.log(`\nphases of one in-process run (${report.documents} documents):`);
  for (const [phase, ms] of phases)
    console.log(`  ${pad(phase, 28)}${ms.toFixed(0).padStart(6)} ms`);
}

/** A folder with no manifests, for the start-up cost of a run. */
function emptyRepository(): string {
  const dir = path.join(repoRoot, "bench/.corpus/empty");
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Runs every subject `runs` times (and once before, to warm the file cache), taking turns, so
 * that a machine busy with other work slows every subject alike.
 */
function measureAll(list: readonly Subject[]): {
  name: string;
  medianMs: number;
  minMs: number;
  peakRssKiB: number;
}[] {
  const times = list.map((): number[] => []);
  const peaks = list.map(() => 0);
  const rssFile = path.join(tmpdir(), `bindops-bench-rss-${process.pid}`);
  const gnuTime = "/usr/bin/time";
  for (let i = 0; i < runs + 1; i++) {
    list.forEach((subject, s) => {
      rmSync(rssFile, { force: true });
      const start = process.hrtime.bigint();
      // Node subjects append their peak RSS to rssFile themselves; another program is measured by
      // GNU time where the machine has it.
      const [program, args] =
        subject.program === undefined
          ? [process.execPath, ["--import", path.join(repoRoot, "bench/rss.mjs"), ...subject.args]]
          : existsSync(gnuTime)
            ? [gnuTime, ["-f", "%M", "-a", "-o", rssFile, subject.program, ...subject.args]]
            : [subject.program, subject.args];
      const child = spawnSync(program, args, {
        env: { ...process.env, BENCH_RSS_OUT: rssFile, NO_COLOR: "1" },
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
      });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (child.status !== subject.expectExit) {
        throw new Error(
          `${subject.name} exited ${child.status}:\n${child.stderr.slice(0, 2000)}\n${child.stdout.slice(0, 2000)}`,
        );
      }
      if (i === 0) return; // warm the file cache
      times[s]!.push(ms);
      if (!existsSync(rssFile)) return;
      for (const line of readFileSync(rssFile, "utf8").split("\n")) {
        peaks[s] = Math.max(peaks[s]!, Number(line) || 0);
      }
    });
  }
  rmSync(rssFile, { force: true });
  return list.map((subject, s) => {
    const sorted = [...times[s]!].sort((a, b) => a - b);
    return {
      name: subject.name,
      medianMs: sorted[Math.floor(sorted.length / 2)]!,
      minMs: sorted[0]!,
      peakRssKiB: peaks[s]!,
    };
  });
}
