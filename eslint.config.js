// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * Layer boundaries (DESIGN.md, "Code layout and dependency direction"). For each folder of src:
 * the folders of src it may import (anything else of the project is an error, whatever the
 * number of `../`), and the libraries only one folder may import (choke points). Only src/cli
 * reads process.env/argv or exits; the pure layers and the engines do no I/O of their own.
 */
const layers = {
  core: [],
  manifests: ["core"],
  schema: ["core"],
  checks: ["core", "schema"],
  policy: ["core"],
  report: ["core"],
  plan: ["core"],
  validate: ["core", "manifests", "schema", "checks", "policy", "report"],
  git: ["core"],
  kube: ["core", "schema"],
  backend: ["core", "schema", "plan", "kube"],
  sync: ["core", "schema", "kube"],
  review: ["core", "manifests", "schema", "checks", "policy", "validate", "report", "plan"],
  catalog: ["core", "manifests", "schema", "checks", "policy", "report", "plan", "review"],
  dev: ["core", "kube"],
  server: [
    "core",
    "manifests",
    "schema",
    "checks",
    "policy",
    "report",
    "plan",
    "validate",
    "git",
    "kube",
    "backend",
    "sync",
    "review",
  ],
};
/** Folders whose code does no I/O: data in, data out (adapters are passed in as interfaces). */
const noIo = [
  "core",
  "manifests",
  "schema",
  "checks",
  "policy",
  "report",
  "plan",
  "validate",
  "catalog",
];
/** Engines use src/kube through interfaces: no sockets or files of their own either. */
const engines = ["backend", "sync"];
/** Each adapter library is imported by exactly one folder. */
const adapters = {
  kube: ["@kubernetes/client-node"],
  git: ["simple-git", "chokidar"],
  review: ["octokit", "@octokit/"],
  server: ["prom-client"],
};
const ioModules = [
  "fs",
  "fs/promises",
  "child_process",
  "net",
  "http",
  "https",
  "http2",
  "dgram",
  "dns",
  "tls",
  "readline",
].flatMap((m) => [m, `node:${m}`]);
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/**
 * Folders inside a folder of src that hold its adapter: only they may import the folder's adapter
 * libraries, and the rest of the folder does no I/O (src/review: the claim diff and grading are
 * pure, the GitHub adapter in src/review/github is the only code that imports octokit).
 */
const adapterFolders = { review: "review/github" };

/** The `no-restricted-imports` options of one folder of src (`pure`: its files outside its adapter folder). */
function importRules(folder, { pure = false } = {}) {
  const allowed = new Set([folder, ...(layers[folder] ?? Object.keys(layers))]);
  const forbidden = [...Object.keys(layers), "cli"].filter((l) => !allowed.has(l));
  const patterns = [];
  if (forbidden.length > 0) {
    patterns.push({
      // `../x/`, `../../x/`, ... and `../x` itself: any depth reaches the same folder of src.
      regex: `^(?:\\./)?(?:\\.\\./)+(?:src/)?(?:${forbidden.join("|")})(?:/|$)`,
      message: `src/${folder} may import only ${
        [...allowed]
          .filter((l) => l !== folder)
          .map((l) => `src/${l}`)
          .join(", ") || "nothing else of the project"
      } (DESIGN.md: dependency direction)`,
    });
  }
  for (const [owner, libraries] of Object.entries(adapters)) {
    if (owner === folder && pure) {
      patterns.push({
        regex: `^(?:${libraries.map((l) => escape(l) + (l.endsWith("/") ? "" : "(?:/|$)")).join("|")})`,
        message: `only src/${adapterFolders[folder]} may import this library: the rest of src/${folder} is pure`,
      });
      continue;
    }
    if (owner === folder) continue;
    patterns.push({
      regex: `^(?:${libraries.map((l) => escape(l) + (l.endsWith("/") ? "" : "(?:/|$)")).join("|")})`,
      message: `only src/${owner} may import this library; depend on its interfaces instead`,
    });
  }
  const paths = [];
  if (folder !== "cli") {
    for (const name of ["process", "node:process"]) {
      paths.push({
        name,
        importNames: [
          "default",
          "env",
          "argv",
          "argv0",
          "execArgv",
          "exit",
          "exitCode",
          "cwd",
          "chdir",
          "stdin",
          "stdout",
          "stderr",
          "on",
          "once",
        ],
        message:
          "only src/cli reads process.env/argv, exits or handles signals; take options instead",
      });
    }
  }
  if (noIo.includes(folder) || engines.includes(folder) || pure) {
    for (const name of ioModules) {
      paths.push({
        name,
        message: `src/${folder} does no I/O: take data, or an adapter's interface, from the caller`,
      });
    }
  }
  return { "no-restricted-imports": ["error", { paths, patterns }] };
}

/** Files a layer rule is proven on: each must fail lint with the rule it is named after. */
export const lintFixtures = "test/lint-fixtures/**";

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "node_modules/**",
      "coverage/**",
      ".bindops/**",
      "bench/.corpus/**",
      lintFixtures,
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      complexity: ["warn", 25],
      "max-depth": ["warn", 5],
    },
  },
  {
    files: ["src/**/*.ts"],
    ignores: ["src/cli/**"],
    rules: {
      "no-restricted-globals": [
        "error",
        {
          name: "process",
          message: "only src/cli reads process.env/argv or exits; take options instead",
        },
      ],
    },
  },
  ...[...Object.keys(layers), "cli"].map((folder) => ({
    files: [`src/${folder}/**/*.ts`],
    rules: importRules(folder),
  })),
  ...Object.entries(adapterFolders).map(([folder, adapter]) => ({
    files: [`src/${folder}/**/*.ts`],
    ignores: [`src/${adapter}/**`],
    rules: importRules(folder, { pure: true }),
  })),
  {
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ["**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
  {
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-expressions": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
);
