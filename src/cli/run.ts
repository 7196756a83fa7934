import { Command, CommanderError } from "commander";
import { BindopsError, ExitCode, exitCodeFor } from "../core/errors.js";
import { addParameters, readParameters } from "./command-spec.js";
import { commandSpecs, configurableCommands, type OptionsOf } from "./commands/command-specs.js";
import { createLogger, type LogFormat } from "./logger.js";
import type { CommandContext } from "./io.js";
import { outputError } from "./output-error.js";
import { packageVersion } from "./package-version.js";
import { controlPlaneServers } from "../dev/control-plane-servers.js";

export interface RunEnvironment {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Standard input, for `validate -`. */
  stdin?: NodeJS.ReadableStream;
  signal: AbortSignal;
}

/** Runs the command commander chose, with its options typed and read. */
type CommandRunner = (ctx: CommandContext) => Promise<ExitCode>;

/** A command's entry: loaded on first use, so `bindops validate` never pays for the Kubernetes client. */
type Load<K extends keyof typeof commandSpecs> = () => Promise<
  (ctx: CommandContext, options: OptionsOf<K>) => Promise<ExitCode>
>;

/**
 * Builds the command tree from {@link commandSpecs}. Commands are thin: each action imports its
 * module lazily and returns an exit code; errors are mapped to exit codes in one place, `run`.
 */
export function buildProgram(
  env: RunEnvironment,
  onAction: (cmd: Command, runner: CommandRunner) => Promise<void>,
): Command {
  const program = new Command("bindops")
    .description(
      "GitOps for kube-bind: declare API bindings as YAML in git, validate them, and reconcile them " +
        "into provider and consumer clusters.",
    )
    .version(packageVersion(), "-V, --version", "print the bindops version");
  addParameters(program, commandSpecs.global)
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
  4   git, cluster or GitHub unreachable or refused; output that cannot be written
  70  internal error (a bug: please report it)
  130 interrupted (Ctrl-C or SIGTERM)

Documentation: README.md in the bindops repository.`,
    );

  const command = <K extends keyof typeof commandSpecs>(
    parent: Command,
    name: string,
    key: K,
    description: string,
    load: Load<K>,
  ): Command => {
    const cmd = addParameters(parent.command(name).description(description), commandSpecs[key]);
    const configurable = (configurableCommands as readonly string[]).includes(key);
    return cmd.action(async () => {
      if (configurable) {
        const { fillFromEnvironmentAndConfig } = await import("./option-sources.js");
        fillFromEnvironmentAndConfig(cmd, [commandSpecs.global, commandSpecs[key]], env);
      }
      await onAction(cmd, async (ctx) =>
        (await load())(ctx, readParameters(commandSpecs[key], cmd)),
      );
    });
  };

  command(
    program,
    "validate",
    "validate",
    "validate a bindops repository: schemas, cross-references, claim policies",
    async () => (await import("./commands/validate.js")).validateCommand,
  ).addHelpText(
    "after",
    `
Examples:
  bindops validate                     # the repository in the current folder
  bindops validate examples -o github  # annotations for a GitHub pull request
  bindops validate --changed-since origin/main -o sarif > bindops.sarif
  bindops validate --rev origin/main   # the files as they are on origin/main`,
  );

  command(
    program,
    "review",
    "review",
    "review the permission-claim changes between two git revisions: graded, policy-checked",
    async () => (await import("./commands/review.js")).reviewCommand,
  ).addHelpText(
    "after",
    `
Both revisions are read from git (no checkout) and validated. The review compares every
ServiceBinding, APIServiceExportTemplate and ClaimPolicy of the repository: claims added,
removed, widened or narrowed (selectors, direction, namespaces; widening is decided by the
selector algebra validate uses), exported resources, isolation, bindings moved to another
consumer or provider, policy rules. Each change is graded high, medium, low or info with its
reasons (Secrets or ServiceAccounts, every object, cluster-wide, write direction), and what it
grants is judged by the claim policies of both revisions; the stricter decision counts.

The base defaults to the repository's default branch (origin/HEAD, else origin/main, main, ...);
the review starts at its merge base with --head, as a pull request's diff does. Files are named
from the top of the git repository.

Exit 2 when a policy denies a change or the head does not validate; 0 otherwise, also when
changes need approval (the markdown and the check run list them for the reviewer).

With --github it posts on the pull request: one comment, found again by a hidden marker and
edited in place on every run, and a check run "bindops / claims" (success, neutral when changes
need approval, failure) with an annotation at each change. Credentials: GITHUB_TOKEN, or a GitHub
App (BINDOPS_GITHUB_APP_ID, BINDOPS_GITHUB_APP_PRIVATE_KEY or _FILE, and optionally
BINDOPS_GITHUB_APP_INSTALLATION_ID); GITHUB_API_URL for GitHub Enterprise Server. The token is
never logged. Rate limits are waited out as GitHub's headers say, up to three times and a minute
each, then exit 4. A token that may not write (a fork's pull request) only prints the review.

Examples:
  bindops review                                   # the current branch against the default branch
  bindops review --base origin/main -o markdown examples
  bindops review --base v1.2.0 --head v1.3.0 -o json
  bindops review --github                          # in a pull_request workflow
  bindops review --github --pr 42 --repo acme/platform`,
  );

  command(
    program,
    "catalog",
    "catalog",
    "list what each provider's templates export and ask for, in words, and who binds them",
    async () => (await import("./commands/catalog.js")).catalogCommand,
  ).addHelpText(
    "after",
    `
For each APIServiceExportTemplate of the repository: its description; the kinds it exports with
their versions, scope, short names and what kubectl get shows (the CRD's printer columns); each
permission claim in plain words ("reads and writes Secrets labelled app=orders in the namespaces
you bind, and Secrets named by PostgresCluster.spec.credentialsSecretRef"), with the grade
\`bindops review\` gives it and the claim policies' decision when a binding accepts it whole (as
\`bindops bind\` writes it); the ServiceBindings of it, with the status the reconciler last
committed (status/<consumer>/<binding>.yaml); and how to bind it.

--html DIR writes a static site instead: an index with search and filters (provider, kind,
claims on Secrets) and a page per template with its claims, its bindings and the ServiceBinding
to copy. It needs no server and loads nothing from the network: open DIR/index.html, or publish
the folder (GitHub Pages: see .github/workflows/catalog-example.yml).

Examples:
  bindops catalog examples
  bindops catalog -o markdown > CATALOG.md
  bindops catalog --rev origin/main -o json
  bindops catalog examples --html site/`,
  );

  command(
    program,
    "bind",
    "bind",
    "write a ServiceBinding of a template for a consumer, validate it and show its review",
    async () => (await import("./commands/bind.js")).bindCommand,
  ).addHelpText(
    "after",
    `
Writes consumers/<consumer>/bindings/<name>.yaml: a ServiceBinding of the template that accepts
the chosen claims (all by default), each written out as the template asks for it, so that the
consent is explicit in git; narrow a claim by editing its selector. The binding is validated in
the repository's context and the review of the change is printed: what a reviewer will see on
the pull request (grades, the claim policies' decisions).

In a terminal, what is not given on the command line is asked for: the template, the consumer,
the name, each claim (y/n) and the namespaces.

Exit codes: 0 written; 2 the binding would not validate (a claim policy denies a claim, say):
nothing is written, the findings and the review say why; 3 an unknown template or claim, a name
that is not a DNS name, or a file that exists (--force overwrites it).

Examples:
  bindops bind databases --consumer orders --name orders-db --namespace orders
  bindops bind databases --consumer billing --claims secrets
  bindops bind dbaas/databases --consumer orders --name new-db --force`,
  );

  command(
    program,
    "crds",
    "crds",
    "print the CustomResourceDefinitions bindops installs for kube-bind's kinds",
    async () => (await import("./commands/crds.js")).crdsCommand,
  );

  const dev = program
    .command("dev")
    .description("a real local control plane: etcd, and a provider and a consumer kube-apiserver")
    .addHelpText(
      "after",
      `
By default the clusters run Kubernetes ${controlPlaneServers.current.version}: etcd, kube-apiserver and
kube-controller-manager are built once per machine from their Go modules (Go 1.26 or newer and the Go
module proxy; tens of minutes on 2 cores) and cached in ~/.cache/bindops (BINDOPS_CACHE_DIR moves it).
--kubernetes-version ${controlPlaneServers.old.version} starts the old server instead, built from Debian's source
package (root and apt), for version-skew checks. etcd serves TLS to the API servers only.
Elsewhere, run bindops against existing clusters (e.g. bindops demo --kubeconfig FILE with
contexts named provider and consumer).`,
    );
  command(
    dev,
    "up",
    "devUp",
    "start (or reuse) the local clusters, install kube-bind's CRDs, and write their kubeconfigs",
    async () => (await import("./commands/dev.js")).devUpCommand,
  );
  command(
    dev,
    "down",
    "devDown",
    "stop the processes `dev up` started; --purge also deletes the state",
    async () => (await import("./commands/dev.js")).devDownCommand,
  );
  command(
    dev,
    "status",
    "devStatus",
    "show whether the local clusters are running and where their kubeconfigs are",
    async () => (await import("./commands/dev.js")).devStatusCommand,
  );

  command(
    program,
    "demo",
    "demo",
    "start the local clusters and run the bindops pipeline on examples/",
    async () => (await import("./commands/demo.js")).demoCommand,
  ).addHelpText(
    "after",
    `
Without --kubeconfig, --kubeconfig-dir or BINDOPS_KUBECONFIG_PROVIDER and
BINDOPS_KUBECONFIG_CONSUMER, the demo starts (or reuses) the local control plane of \`dev up\`.`,
  );

  command(
    program,
    "backend",
    "backend",
    "run the built-in kube-bind backend on the provider cluster: export requests become exports",
    async () => (await import("./commands/backend.js")).backendCommand,
  ).addHelpText(
    "after",
    `
Runs until SIGINT or SIGTERM, then finishes in-flight work and exits 0. It does what kube-bind's
backend does with APIServiceExportRequests (BoundSchemas, one APIServiceExport per request,
APIServiceNamespaces and provider namespaces, RBAC for the consumer, ClusterBinding health), with
the differences in docs/adr/0003-built-in-backend.md. A request may choose its export's settings
with the annotations bindops.dev/informer-scope and bindops.dev/isolation.`,
  );

  command(
    program,
    "konnector",
    "konnector",
    "run the konnector on the consumer cluster: schemas down, objects up, status down",
    async () => (await import("./commands/konnector.js")).konnectorCommand,
  ).addHelpText(
    "after",
    `
Runs until SIGINT or SIGTERM, then finishes in-flight work and exits 0. It serves every
APIServiceBinding whose kubeconfig Secret reaches a provider (one connection per distinct
kubeconfig, as kube-bind's konnector): the BoundSchemas become CRDs on the consumer, each
consumer object of a bound kind is created on the provider where the export's isolation maps it
and its spec follows, the provider's status comes back, and the Secrets, ConfigMaps and
ServiceAccounts that accepted permission claims select cross in the directions the binding
consented to. Nothing else crosses. Secrets labelled kube-bind.io/provider-kubeconfig=true
start the heartbeat before the first binding. Differences from kube-bind's konnector:
docs/adr/0007-konnector.md.`,
  );

  command(
    program,
    "reconcile",
    "reconcile",
    "apply one git revision: export requests on the provider, bindings on the consumer, status",
    async () => (await import("./commands/reconcile.js")).reconcileCommand,
  ).addHelpText(
    "after",
    `
Reads the revision from git (no checkout), validates it (a revision with errors is refused and
nothing is applied), applies each provider's CRDs and templates, onboards each consumer on its
provider, creates one APIServiceExportRequest per ServiceBinding and waits for its phase, then
puts the provider kubeconfig Secret and the APIServiceBinding on the consumer. Objects an earlier
revision applied that git no longer has are pruned; suspended bindings are left alone. Prints the
status files (status/<consumer>/<binding>.yaml) it would commit.`,
  );

  command(
    program,
    "plan",
    "plan",
    "show what reconcile would change on the clusters: create, update (field diff), prune",
    async () => (await import("./commands/plan.js")).planCommand,
  ).addHelpText(
    "after",
    `
Reads the revision as \`bindops reconcile\` does (from git, no checkout; --rev, default HEAD),
validates it, and compares what a reconcile would apply with what the clusters have, reading
them only: nothing is written to any cluster. Per cluster, in the order a reconcile applies:

  + create     the object does not exist
  ~ update     fields bindops manages differ: one line per field, live value → git's, and who
               set the live value when it was edited by hand ("replace" when kube-bind's
               immutable spec means delete and create)
  - prune      an earlier reconcile applied it (the inventory), git no longer has it
  = unchanged  (kube-bind's own CRDs in one line)

Fields bindops does not set are not compared; the bindops.dev/revision annotation every
reconcile moves is not a difference; a Secret's data is never printed. Suspended bindings are
left as they are. A consumer's kubeconfig Secret and APIServiceBinding are planned as a reconcile
applies them once its request has Succeeded. bindops's own inventory ConfigMap is not shown.

Exit codes: 0 (with --exit-code: no differences), 1 (--exit-code: a reconcile would change
something), 2 (the revision does not validate: it would be refused), 4 (a cluster cannot be
reached; the other clusters are planned).

Examples:
  bindops plan --repo . --kubeconfig-dir .bindops/dev
  bindops plan --rev origin/main -o json
  bindops plan --exit-code || echo "the clusters differ from git"`,
  );

  command(
    program,
    "run",
    "run",
    "the reconcile loop: follow a git branch, reconcile each revision, commit status back",
    async () => (await import("./commands/run-loop.js")).runCommand,
  ).addHelpText(
    "after",
    `
The remote (URL or path) is cloned once into ~/.cache/bindops/repos and fetched every --interval;
an https remote authenticates with BINDOPS_GIT_TOKEN (never logged). Each new revision is
reconciled as \`bindops reconcile\` does, the current one again every interval so hand edits are
reverted, and status/<consumer>/<binding>.yaml is committed back ("[skip ci]", retried on a push
race) only when it changed. Commits that touch only status/ are not reconciled. Errors are
retried with backoff while the last good revision stays applied; a cluster that cannot be reached
holds back only its own bindings (their status says why) and is tried again at the next interval.
SIGTERM finishes the current step and exits 0; --once exits 4 when a cluster was not reached.

With --watch, --repo is a local folder (a working copy) followed as it is saved, committed or
not: each burst of saves is reconciled within about a second (200 ms after the last save), and
everything again every --interval. Saves under status/, .git/ and node_modules/ are ignored. The
revision is the content's digest (working-tree-<hex>); the status files are written into the
folder's status/ and not committed.

In a cluster: /healthz and /readyz on --health-addr, /metrics on --metrics-addr, a GitHub push
webhook on --webhook-addr (with a secret). --leader-elect runs one active replica and standbys;
--shards N shares the bindings among active replicas, one Lease per shard. Every option may also
come from BINDOPS_<OPTION> (BINDOPS_INTERVAL=60) or a YAML file (--config, BINDOPS_CONFIG); the
command line wins over the environment, which wins over the file.

Examples:
  bindops run --repo https://git.example/platform/bindings.git --branch main --interval 30
  bindops run --watch --repo . --kubeconfig-dir .bindops/dev
  bindops run --config /etc/bindops/config.yaml --shards 3   # in a pod, one of three replicas`,
  );

  return program;
}

/** The composition root: parses argv, builds the logger, runs one command, maps errors to exit codes. */
export async function run(env: RunEnvironment): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.ok;
  let debug = env.argv.includes("--debug");
  let logFormat = "text" as LogFormat;
  const program = buildProgram(env, async (cmd, runner) => {
    const globals = readParameters(commandSpecs.global, cmd, cmd.optsWithGlobals());
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
      ...(env.stdin ? { stdin: env.stdin } : {}),
      signal: env.signal,
      debug: globals.debug,
      color: globals.color && env.stdout.isTTY === true && !env.env.NO_COLOR,
    };
    exitCode = await runner(ctx);
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
    const failure = outputError(error) ?? error;
    try {
      reportError(failure, env.stderr, { debug, json: logFormat === "json" });
    } catch {
      // stderr cannot be written either: the exit code is all that is left to say it.
    }
    return exitCodeFor(failure);
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
