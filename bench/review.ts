/**
 * The review benchmark. Makes a git repository of the validate benchmark's generated repository
 * (default 10,000 documents in 2,000 files) with two commits: `bench-base`, and `bench-head`,
 * which changes a few bindings (comments, a direction narrowed, a namespace added) as a pull
 * request would. Then times, as whole processes alternating in the same run:
 *
 *   validate   `bindops validate` of the repository (the head, as checked out)
 *   review     `bindops review --base bench-base --head bench-head`: both revisions read from
 *              git, both validated, and the claim diff
 *
 * and prints the medians, the review's ratio to one validate, and the phases of one in-process
 * review. Figures only, never an assertion. Run with
 * `npm run bench:review -- --docs 10000 --files 2000 --runs 5` after `npm run build`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { readFolderSnapshot as ReadFolderSnapshot } from "../src/git/read-folder-snapshot.js";
import type { readRevisionSnapshot as ReadRevisionSnapshot } from "../src/git/read-revision-snapshot.js";
import type { assembleReview as AssembleReview } from "../src/review/assemble-review.js";
import type { validate as Validate } from "../src/validate/validate.js";
import { generateCorpus } from "./corpus.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    docs: { type: "string", default: "10000" },
    files: { type: "string", default: "2000" },
    runs: { type: "string", default: "5" },
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

const gitEnv = {
  ...process.env,
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "bench",
  GIT_AUTHOR_EMAIL: "bench@example.invalid",
  GIT_COMMITTER_NAME: "bench",
  GIT_COMMITTER_EMAIL: "bench@example.invalid",
};
const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, { cwd, env: gitEnv, encoding: "utf8" });

const corpus = path.join(repoRoot, "bench/.corpus", `${docs}-${files}`);
generateCorpus(corpus, docs, files);
const repo = path.join(repoRoot, "bench/.corpus", `review-${docs}-${files}`);
const changed = makeRepository(corpus, repo);

console.log(`repository: ${docs} documents in ${files} files at ${repo}`);
console.log(
  `head changes ${changed} binding files; ${runs} runs per subject, alternating; node ${process.version}\n`,
);

const subjects = [
  { name: "bindops validate", args: [cli, "validate", repo, "-o", "json"] },
  {
    name: "bindops review",
    args: [cli, "review", "--base", "bench-base", "--head", "bench-head", "-o", "json", repo],
  },
];
const times = subjects.map(() => [] as number[]);
const peaks = subjects.map(() => 0);
const rssFile = path.join(tmpdir(), `bindops-bench-review-rss-${process.pid}`);
for (let run = 0; run <= runs; run++) {
  subjects.forEach((subject, i) => {
    rmSync(rssFile, { force: true });
    const start = process.hrtime.bigint();
    const child = spawnSync(
      process.execPath,
      ["--import", path.join(repoRoot, "bench/rss.mjs"), ...subject.args],
      {
        cwd: repo,
        env: { ...gitEnv, BENCH_RSS_OUT: rssFile, NO_COLOR: "1" },
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
      },
    );
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (child.status !== 0) {
      throw new Error(`${subject.name} exited ${child.status}:\n${child.stderr.slice(0, 2000)}`);
    }
    if (run === 0) return; // warms the file cache
    times[i]!.push(ms);
    for (const line of readFileSync(rssFile, "utf8").split("\n")) {
      peaks[i] = Math.max(peaks[i]!, Number(line) || 0);
    }
  });
}
rmSync(rssFile, { force: true });

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
const pad = (s: string, n: number) => s.padEnd(n);
const validateMs = median(times[0]!);
console.log(
  pad("subject", 20) +
    pad("median ms", 12) +
    pad("min ms", 10) +
    pad("× validate", 12) +
    "peak RSS MiB",
);
subjects.forEach((subject, i) => {
  const ms = median(times[i]!);
  console.log(
    pad(subject.name, 20) +
      pad(ms.toFixed(0), 12) +
      pad(Math.min(...times[i]!).toFixed(0), 10) +
      pad((ms / validateMs).toFixed(2), 12) +
      (peaks[i]! / 1024).toFixed(0),
  );
});
console.log(
  "(aim: a review at most 2.5 × one validate: it validates two revisions and compares them)",
);

// Where the time of one review goes, in this process (node's and the CLI's start-up excluded).
{
  const dist = async <T>(file: string) =>
    (await import(pathToFileURL(path.join(repoRoot, "dist", file)).href)) as T;
  const { readRevisionSnapshot } = await dist<{
    readRevisionSnapshot: typeof ReadRevisionSnapshot;
  }>("git/read-revision-snapshot.js");
  const { readFolderSnapshot } = await dist<{ readFolderSnapshot: typeof ReadFolderSnapshot }>(
    "git/read-folder-snapshot.js",
  );
  const { validate } = await dist<{ validate: typeof Validate }>("validate/validate.js");
  const { assembleReview } = await dist<{ assembleReview: typeof AssembleReview }>(
    "review/assemble-review.js",
  );
  const phases: [string, number][] = [];
  let last = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    phases.push([name, now - last]);
    last = now;
  };
  const defaultPolicies = readFolderSnapshot(path.join(repoRoot, "policies"));
  const base = await readRevisionSnapshot(repo, "bench-base");
  const head = await readRevisionSnapshot(repo, "bench-head");
  phase("read both revisions (git)");
  const options = { defaultPolicies, toolVersion: "bench" };
  const baseReport = await validate(base, options);
  phase("validate base");
  const headReport = await validate(head, options);
  phase("validate head");
  const review = assembleReview({
    base: { snapshot: base, report: baseReport },
    head: { snapshot: head, report: headReport },
    defaultPolicies,
  });
  phase("claim diff and grading");
  console.log(
    `\nphases of one in-process review (${review.counts.changes} changes, verdict ${review.verdict}):`,
  );
  for (const [name, ms] of phases) console.log(`  ${pad(name, 30)}${ms.toFixed(0).padStart(6)} ms`);
}

/**
 * The corpus as a git repository with the commits `bench-base` and `bench-head`, made once and
 * kept; returns how many files the head changes.
 */
function makeRepository(from: string, dir: string): number {
  const bindingFiles = (root: string) =>
    readdirSync(path.join(root, "consumers"))
      .sort()
      .flatMap((team) => {
        const folder = path.join(root, "consumers", team, "bindings");
        return existsSync(folder)
          ? readdirSync(folder)
              .sort()
              .map((f) => path.join(folder, f))
          : [];
      })
      .filter((file) => readFileSync(file, "utf8").includes("kind: ServiceBinding"));
  const marker = `${dir}.complete`;
  if (existsSync(marker)) return Number(readFileSync(marker, "utf8"));
  rmSync(dir, { recursive: true, force: true });
  cpSync(from, dir, { recursive: true });
  rmSync(path.join(dir, ".complete"), { force: true });
  git(dir, "init", "-q", "-b", "main");
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "base");
  git(dir, "tag", "bench-base");
  // What a pull request does: reword comments, narrow a direction, add a namespace.
  const targets = bindingFiles(dir).slice(0, 20);
  targets.forEach((file, i) => {
    const text = readFileSync(file, "utf8");
    const edited =
      i < 10
        ? `# Reviewed by the platform team.\n${text}`
        : i < 15
          ? text.replace("direction: Both", "direction: ProviderToConsumer")
          : text.replace(/( {4}- name: (team-\d+)-apps\n)/, "$1    - name: $2-reports\n");
    writeFileSync(file, edited);
  });
  git(dir, "commit", "-q", "-am", "head");
  git(dir, "tag", "bench-head");
  // A clone's objects are packed; loose ones would make reading a revision look slower than it is.
  git(dir, "gc", "-q");
  writeFileSync(marker, String(targets.length));
  return targets.length;
}
