import { Command, CommanderError, Option } from "commander";
import { BindopsError, ExitCode, exitCodeFor } from "../core/errors.js";
import { createLogger, type LogFormat } from "./logger.js";
import type { CommandContext } from "./io.js";
import { packageVersion } from "./package-version.js";
import { reportFormats } from "../report/validate-report.js";
import { controlPlaneServers } from "../dev/control-plane-servers.js";
import type { LevelWithSilent } from "pino";

export interface RunEnvironment {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  signal: AbortSignal;
}

interface GlobalOptions {
  logLevel: LevelWithSilent;
  logFormat: LogFormat;
  debug: boolean;
  color: boolean;
}

/** A command's entry: loaded on first use, so `bindops validate` never pays for the Kubernetes client. */
type Action = (ctx: CommandContext, ...args: never[]) => Promise<ExitCode>;

/**
 * Builds the command tree. Commands are thin: each action imports its module lazily and returns
 * an exit code; errors are mapped to exit codes in one place, `run`.
 */
export function buildProgram(
  env: RunEnvironment,
  onAction: (load: () => Promise<Action>, args: unknown[], cmd: Command) => Promise<void>,
): Command {
  const program = new Command("bindops")
    .description(
      "GitOps for kube-bind: declare API bindings as YAML in git, validate them, and reconcile them " +
        "into provider and consumer clusters.",
    )
    .version(packageVersion(), "-V, --version", "print the bindops version")
    .addOption(
      new Option("--log-level <level>", "log verbosity")
        .choices(["trace", "debug", "info", "warn", "error", "silent"])
        .default("info"),
    )
    .addOption(
      new Option("--log-format <format>", "log format: text for people, json for log collectors")
        .choices(["text", "json"])
        .default("text"),
    )
    .option("--debug", "print stack traces and debug logs", false)
    .option("--no-color", "disable colours in text output")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({
      writeOut: (s) => env.stdout.write(s),
      writeErr: (s) => env.stderr.write(s),
    })
    .exitOverride()
    .addHelpText(
      "after",
      `
Exit codes:
  0   ok
  1   differences found (commands run with --exit-code)
  2   invalid input or policy violation
  3   usage error
  4   git, cluster or GitHub unreachable or refused
  70  internal error (a bug: please report it)
  130 interrupted (Ctrl-C or SIGTERM)

Documentation: README.md in the bindops repository.`,
    );

  const action =
    (load: () => Promise<Action>) =>
    async (...args: unknown[]): Promise<void> => {
      const cmd = args.at(-1) as Command;
      await onAction(load, args.slice(0, -1), cmd);
    };

  program
    .command("validate")
    .description("validate a bindops repository: schemas, cross-references, claim policies")
    .argument("[paths...]", "repository root or files/folders to validate", ["."])
    .addOption(
      new Option("-o, --output <format>", "output format").choices(reportFormats).default("text"),
    )
    .option("--crd-dir <dir...>", "extra folders of CustomResourceDefinitions to validate against")
    .option("--policy <dir...>", "extra folders of ClaimPolicy documents")
    .option("--exclude <glob...>", "gitignore-style patterns to skip (adds to .bindopsignore)")
    .option("--ignore-unknown-kinds", "do not report kinds bindops has no schema for", false)
    .option(
      "--changed-since <rev>",
      "validate only documents in files changed since this git revision, and what they reference",
    )
    .addOption(
      new Option(
        "--rev <rev>",
        "validate the files as they are at this git revision (read from git, no checkout)",
      ).conflicts("changedSince"),
    )
    .option(
      "--root <dir>",
      "repository root (default: the first path, or the folder holding bindops.yaml)",
    )
    .addHelpText(
      "after",
      `
Examples:
  bindops validate                     # the repository in the current folder
  bindops validate examples -o github  # annotations for a GitHub pull request
  bindops validate --changed-since origin/main -o sarif > bindops.sarif
  bindops validate --rev origin/main   # the files as they are on origin/main`,
    )
    .action(action(async () => (await import("./commands/validate.js")).validateCommand));

  program
    .command("crds")
    .description("print the CustomResourceDefinitions bindops installs for kube-bind's kinds")
    .action(action(async () => (await import("./commands/crds.js")).crdsCommand));

  const dev = program
    .command("dev")
    .description("a real local control plane: etcd, and a provider and a consumer kube-apiserver")
    .addHelpText(
      "after",
      `
By default the clusters run Kubernetes ${controlPlaneServers.current.version}: etcd, kube-apiserver and
kube-controller-manager are built once per machine from their Go modules (Go 1.26 or newer and the Go
module proxy; 10-25 minutes) and cached in ~/.cache/bindops (BINDOPS_CACHE_DIR moves it).
--kubernetes-version ${controlPlaneServers.old.version} starts the old server instead, built from Debian's source
package (root and apt), for version-skew checks. etcd serves TLS to the API servers only.
Elsewhere, run bindops against existing clusters (e.g. bindops demo --kubeconfig FILE with
contexts named provider and consumer).`,
    );
  const stateDir = () =>
    new Option("--state-dir <dir>", "where kubeconfigs, certificates, data and logs live").default(
      ".bindops/dev",
    );
  dev
    .command("up")
    .description(
      "start (or reuse) the local clusters, install kube-bind's CRDs, and write their kubeconfigs",
    )
    .addOption(stateDir())
    .option("--clusters <names>", "comma-separated cluster names", "provider,consumer")
    .option(
      "--kubernetes-version <version>",
      `${controlPlaneServers.current.version} (current) or ${controlPlaneServers.old.version} (old)`,
      "current",
    )
    .action(action(async () => (await import("./commands/dev.js")).devUpCommand));
  dev
    .command("down")
    .description("stop the processes `dev up` started; --purge also deletes the state")
    .addOption(stateDir())
    .option("--purge", "delete the state folder (data, certificates, kubeconfigs)", false)
    .action(action(async () => (await import("./commands/dev.js")).devDownCommand));
  dev
    .command("status")
    .description("show whether the local clusters are running and where their kubeconfigs are")
    .addOption(stateDir())
    .action(action(async () => (await import("./commands/dev.js")).devStatusCommand));

  program
    .command("demo")
    .description("start the local clusters and run the bindops pipeline on examples/")
    .addOption(stateDir())
    .option("--repo <dir>", "the GitOps repository to use", "examples")
    .option(
      "--kubeconfig <file>",
      "use existing clusters: a kubeconfig with contexts named provider and consumer",
    )
    .option(
      "--kubeconfig-dir <dir>",
      "use existing clusters: a folder of <cluster>.kubeconfig files",
    )
    .addHelpText(
      "after",
      `
Without --kubeconfig, --kubeconfig-dir or BINDOPS_KUBECONFIG_PROVIDER and
BINDOPS_KUBECONFIG_CONSUMER, the demo starts (or reuses) the local control plane of \`dev up\`.`,
    )
    .action(action(async () => (await import("./commands/demo.js")).demoCommand));

  return program;
}

/** The composition root: parses argv, builds the logger, runs one command, maps errors to exit codes. */
export async function run(env: RunEnvironment): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.ok;
  let debug = env.argv.includes("--debug");
  let logFormat = "text" as LogFormat;
  const program = buildProgram(env, async (load, args, cmd) => {
    const globals = cmd.optsWithGlobals<GlobalOptions>();
    debug = globals.debug;
    logFormat = globals.logFormat;
    const logger = createLogger({
      level: globals.debug ? "debug" : globals.logLevel,
      format: globals.logFormat,
      stream: env.stderr,
      color: globals.color && env.stderr.isTTY === true && !env.env.NO_COLOR,
    });
    const ctx: CommandContext = {
      logger,
      env: env.env,
      cwd: env.cwd,
      stdout: env.stdout,
      stderr: env.stderr,
      signal: env.signal,
      debug: globals.debug,
      color: globals.color && env.stdout.isTTY === true && !env.env.NO_COLOR,
    };
    // commander hands each action its arguments and options as parsed from the declarations above.
    const fn = (await load()) as (ctx: CommandContext, ...args: unknown[]) => Promise<ExitCode>;
    exitCode = await fn(ctx, ...args, cmd.opts());
  });
  try {
    await program.parseAsync(env.argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") {
        return ExitCode.ok;
      }
      // `bindops` or `bindops dev` without a command: the help was printed, but nothing ran.
      if (error.code === "commander.help") return ExitCode.usage;
      return ExitCode.usage;
    }
    if (env.signal.aborted) {
      env.stderr.write("interrupted\n");
      return ExitCode.interrupted;
    }
    reportError(error, env.stderr, { debug, json: logFormat === "json" });
    return exitCodeFor(error);
  }
}

/**
 * Errors reach the user as one clear line (plus a hint); stack traces only with --debug. With
 * --log-format json the error is one JSON log record instead, for log collectors.
 */
export function reportError(
  error: unknown,
  stderr: NodeJS.WritableStream,
  options: { debug: boolean; json?: boolean },
): void {
  const expected = error instanceof BindopsError && error.kind !== "internal";
  const message = error instanceof Error ? error.message : String(error);
  if (options.json) {
    const record = {
      level: 50,
      time: Date.now(),
      msg: expected ? message : `internal error: ${message}`,
      ...(error instanceof BindopsError ? { code: error.code, exitCode: error.exitCode } : {}),
      ...(error instanceof BindopsError && error.hint ? { hint: error.hint } : {}),
      ...(options.debug && error instanceof Error ? { stack: error.stack } : {}),
    };
    stderr.write(JSON.stringify(record) + "\n");
    return;
  }
  if (expected) {
    stderr.write(`error: ${message}\n`);
    if (error.hint) stderr.write(`hint: ${error.hint}\n`);
    if (options.debug && error.stack) stderr.write(`${error.stack}\n`);
    if (options.debug && error.cause !== undefined) {
      stderr.write(`caused by: ${describe(error.cause)}\n`);
    }
    return;
  }
  stderr.write(`internal error: ${message}\n`);
  stderr.write("This is a bug in bindops; please report it with the output of --debug.\n");
  if (options.debug && error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);
}

function describe(value: unknown): string {
  return value instanceof Error ? (value.stack ?? value.message) : String(value);
}
