// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * Layer boundaries (see docs/architecture.md): each adapter library is imported by exactly one
 * folder, and the pure layers import no adapters at all.
 */
const adapters = {
  kube: ["@kubernetes/client-node", "@kubernetes/client-node/*"],
  git: ["simple-git", "chokidar"],
  review: ["octokit", "@octokit/*"],
};
const restrict = (...groups) => ({
  "no-restricted-imports": [
    "error",
    {
      patterns: groups.map((g) => ({
        group: g.patterns,
        message: g.message,
      })),
    },
  ],
});
const only = (folder) => ({
  patterns: adapters[folder],
  message: `only src/${folder} may import this library; depend on its interfaces instead`,
});
const layer = (names, why) => ({
  patterns: names.flatMap((n) => [`../${n}/*`, `../../${n}/*`]),
  message: why,
});
const pureLayers = ["core", "schema", "policy", "plan", "manifests", "checks", "report"];

export default tseslint.config(
  {
    ignores: ["dist/**", "node_modules/**", "coverage/**", ".bindops/**", "bench/.corpus/**"],
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
  {
    files: ["src/core/**/*.ts"],
    rules: restrict(
      only("kube"),
      only("git"),
      only("review"),
      layer(
        [
          "manifests",
          "schema",
          "policy",
          "plan",
          "git",
          "kube",
          "backend",
          "sync",
          "review",
          "cli",
          "server",
          "dev",
        ],
        "src/core imports nothing else from the project",
      ),
    ),
  },
  {
    files: pureLayers.filter((l) => l !== "core").map((l) => `src/${l}/**/*.ts`),
    rules: restrict(
      only("kube"),
      only("git"),
      only("review"),
      layer(
        ["git", "kube", "backend", "sync", "review", "cli", "server", "dev"],
        "pure layers do no I/O through adapters",
      ),
    ),
  },
  { files: ["src/kube/**/*.ts"], rules: restrict(only("git"), only("review")) },
  {
    files: ["src/dev/**/*.ts", "src/validate/**/*.ts"],
    rules: restrict(only("kube"), only("git"), only("review")),
  },
  { files: ["src/git/**/*.ts"], rules: restrict(only("kube"), only("review")) },
  { files: ["src/review/**/*.ts"], rules: restrict(only("kube"), only("git")) },
  {
    files: ["src/backend/**/*.ts", "src/sync/**/*.ts"],
    rules: restrict(
      only("kube"),
      only("git"),
      only("review"),
      layer(["cli", "server"], "engines do not reach up"),
    ),
  },
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
