import { reportFormats } from "../../report/validate-report.js";
import { parameter, type CommandOptions } from "../command-spec.js";

const stateDir = parameter.string(
  "--state-dir <dir>",
  "where kubeconfigs, certificates, data and logs live",
  ".bindops/dev",
);

/**
 * The options and arguments of every command, declared once: `run.ts` shows and parses them with
 * commander, and each command receives them typed (`CommandOptions<typeof commandSpecs.x>`).
 * Loaded at start-up, so it imports nothing a command needs only when it runs.
 */
export const commandSpecs = {
  global: {
    logLevel: parameter.choice(
      "--log-level <level>",
      "log verbosity",
      ["trace", "debug", "info", "warn", "error", "silent"],
      "info",
    ),
    logFormat: parameter.choice(
      "--log-format <format>",
      "log format: text for people, json for log collectors",
      ["text", "json"],
      "text",
    ),
    debug: parameter.flag("--debug", "print stack traces and debug logs"),
    color: parameter.flag("--no-color", "disable colours in text output"),
  },
  validate: {
    paths: parameter.operands("[paths...]", "repository root or files/folders to validate", ["."]),
    output: parameter.choice("-o, --output <format>", "output format", reportFormats, "text"),
    crdDir: parameter.strings(
      "--crd-dir <dir...>",
      "extra folders of CustomResourceDefinitions to validate against",
    ),
    policy: parameter.strings("--policy <dir...>", "extra folders of ClaimPolicy documents"),
    exclude: parameter.strings(
      "--exclude <glob...>",
      "gitignore-style patterns to skip (adds to .bindopsignore)",
    ),
    ignoreUnknownKinds: parameter.flag(
      "--ignore-unknown-kinds",
      "do not report kinds bindops has no schema for",
    ),
    changedSince: parameter.string(
      "--changed-since <rev>",
      "validate only documents in files changed since this git revision, and what they reference",
    ),
    rev: parameter.string(
      "--rev <rev>",
      "validate the files as they are at this git revision (read from git, no checkout)",
      undefined,
      { conflicts: ["changedSince"] },
    ),
    root: parameter.string(
      "--root <dir>",
      "repository root (default: the first path, or the folder holding bindops.yaml)",
    ),
  },
  crds: {},
  devUp: {
    stateDir,
    clusters: parameter.string(
      "--clusters <names>",
      "comma-separated cluster names",
      "provider,consumer",
    ),
  },
  devDown: {
    stateDir,
    purge: parameter.flag("--purge", "delete the state folder (data, certificates, kubeconfigs)"),
  },
  devStatus: { stateDir },
  demo: {
    stateDir,
    repo: parameter.string("--repo <dir>", "the GitOps repository to use", "examples"),
    kubeconfig: parameter.string(
      "--kubeconfig <file>",
      "use existing clusters: a kubeconfig with contexts named provider and consumer",
    ),
    kubeconfigDir: parameter.string(
      "--kubeconfig-dir <dir>",
      "use existing clusters: a folder of <cluster>.kubeconfig files",
    ),
  },
};

/** The options each command receives, by command. */
export type OptionsOf<K extends keyof typeof commandSpecs> = CommandOptions<
  (typeof commandSpecs)[K]
>;
