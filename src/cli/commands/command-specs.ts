import { catalogFormats } from "../../catalog/catalog.js";
import { controlPlaneServers } from "../../dev/control-plane-servers.js";
import { reportFormats } from "../../report/validate-report.js";
import { reviewFormats } from "../../review/review.js";
import { parameter, type CommandOptions } from "../command-spec.js";

const stateDir = parameter.string(
  "--state-dir <dir>",
  "where kubeconfigs, certificates, data and logs live",
  ".bindops/dev",
);

/** Where the repository's clusters are: every command that reads or writes them takes these. */
const clusterOptions = {
  kubeconfig: parameter.string(
    "--kubeconfig <file>",
    "a kubeconfig with a context named like each cluster",
  ),
  kubeconfigDir: parameter.string(
    "--kubeconfig-dir <dir>",
    "a folder of <cluster>.kubeconfig files",
  ),
};

/** What every command that reconciles takes: where the clusters are and who runs the backend. */
const reconcilerOptions = {
  ...clusterOptions,
  backend: parameter.choice(
    "--backend <backend>",
    "builtin: run bindops's kube-bind backend in-process; external: a kube-bind backend runs",
    ["builtin", "external"],
    "builtin",
  ),
  requestTimeout: parameter.string(
    "--request-timeout <seconds>",
    "how long to wait for each export request's phase",
    "60",
  ),
};

/**
 * The server commands' config file. Each of their options may also be set there (key: the long
 * flag without dashes, `leader-elect: true`) and in the environment (`BINDOPS_LEADER_ELECT=true`);
 * the command line wins over the environment, which wins over the file.
 */
const configFile = {
  config: parameter.string(
    "--config <file>",
    "read options from this YAML file (default: BINDOPS_CONFIG); flags and BINDOPS_<OPTION> variables win over it",
  ),
};

/** The commands that take {@link configFile} and `BINDOPS_<OPTION>` variables. */
export const configurableCommands = ["run", "backend", "konnector"] as const;

/**
 * The options and arguments of every command, declared once: `run.ts` shows and parses them with
 * commander, and each command receives them typed (`CommandOptions<typeof commandSpecs.x>`).
 * Loaded at start-up, so it imports nothing a command needs only when it runs.
 */
/** What a command that runs on one cluster takes: the cluster's name and its credentials. */
function oneCluster(role: "provider" | "consumer") {
  return {
    cluster: parameter.string(
      "--cluster <name>",
      `the ${role} cluster's name (finds its credentials)`,
      role,
    ),
    kubeconfig: parameter.string(
      "--kubeconfig <file>",
      "a kubeconfig with a context named like the cluster",
    ),
    kubeconfigDir: parameter.string(
      "--kubeconfig-dir <dir>",
      "a folder of <cluster>.kubeconfig files",
    ),
    installCrds: parameter.flag(
      "--no-install-crds",
      `do not install kube-bind's CRDs on the ${role} first`,
    ),
  };
}

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
    paths: parameter.operands(
      "[paths...]",
      "repository root or files/folders to validate; - reads manifests from standard input",
      ["."],
    ),
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
    kubernetesVersion: parameter.string(
      "--kubernetes-version <version>",
      "the Kubernetes release to check API versions against: removed ones are errors, deprecated ones warnings (default: the newest known)",
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
    maxDocuments: parameter.string(
      "--max-documents <count>",
      "how many documents one file may hold; a file with more is refused whole",
      "100000",
    ),
    verbose: parameter.flag(
      "-v, --verbose",
      "list every file skipped as not a manifest (kustomizations, Helm charts), one a line",
    ),
  },
  review: {
    path: parameter.operand(
      "[path]",
      "the folder of the bindops repository (holding bindops.yaml) in a git clone",
      ".",
    ),
    base: parameter.string(
      "--base <rev>",
      "the revision the changes are made on; the review starts at its merge base with --head (default: the default branch, origin/HEAD, or the pull request's base with --github)",
    ),
    head: parameter.string("--head <rev>", "the revision with the changes", "HEAD"),
    output: parameter.choice(
      "-o, --output <format>",
      "output format: text for a terminal, markdown for a pull request, json for programs",
      reviewFormats,
      "text",
    ),
    crdDir: parameter.strings(
      "--crd-dir <dir...>",
      "extra folders of CustomResourceDefinitions to validate against",
    ),
    policy: parameter.strings(
      "--policy <dir...>",
      "extra folders of ClaimPolicy documents (the same for both revisions)",
    ),
    exclude: parameter.strings(
      "--exclude <glob...>",
      "gitignore-style patterns to skip (adds to .bindopsignore)",
    ),
    ignoreUnknownKinds: parameter.flag(
      "--ignore-unknown-kinds",
      "do not report kinds bindops has no schema for",
    ),
    kubernetesVersion: parameter.string(
      "--kubernetes-version <version>",
      "the Kubernetes release to check API versions against (default: the newest known)",
    ),
    github: parameter.flag(
      "--github",
      "post the review on the pull request: one comment, kept up to date, and the check run bindops / claims",
    ),
    pr: parameter.string(
      "--pr <number>",
      "the pull request (default: from GITHUB_EVENT_PATH in GitHub Actions)",
    ),
    repo: parameter.string(
      "--repo <owner/name>",
      "the repository of the pull request (default: GITHUB_REPOSITORY)",
    ),
  },
  catalog: {
    path: parameter.operand(
      "[path]",
      "the folder of the bindops repository (holding bindops.yaml)",
      ".",
    ),
    output: parameter.choice(
      "-o, --output <format>",
      "output format: text for a terminal, markdown for a wiki or pull request, json for programs",
      catalogFormats,
      "text",
    ),
    html: parameter.string(
      "--html <dir>",
      "write the catalog as a static site into this folder instead (open index.html; no server needed)",
    ),
    rev: parameter.string(
      "--rev <rev>",
      "read the files as they are at this git revision (from git, no checkout)",
    ),
    policy: parameter.strings("--policy <dir...>", "extra folders of ClaimPolicy documents"),
    exclude: parameter.strings(
      "--exclude <glob...>",
      "gitignore-style patterns to skip (adds to .bindopsignore)",
    ),
  },
  bind: {
    template: parameter.operand(
      "[template]",
      "the template to bind: its name, or <provider folder>/<name> when several providers have one of that name",
      "",
    ),
    consumer: parameter.string(
      "--consumer <name>",
      "the consumer's folder under consumers/ (a team, or the consumer cluster's name)",
    ),
    name: parameter.string(
      "--name <name>",
      "the binding's name and file name (default: the template's name)",
    ),
    claims: parameter.strings(
      "--claims <claim...>",
      "the claims to accept, by resource (secrets, configmaps, widgets.example.com); none accepts none (default: all)",
    ),
    namespace: parameter.strings(
      "--namespace <ns...>",
      "confine the binding and its claims to these namespaces (default: every namespace)",
    ),
    cluster: parameter.string(
      "--cluster <name>",
      "the consumer cluster (spec.consumer; default: --consumer when it names one, else the repository's only consumer cluster)",
    ),
    repo: parameter.string(
      "--repo <dir>",
      "the bindops repository (default: the folder holding bindops.yaml, here or above)",
    ),
    force: parameter.flag("--force", "overwrite the binding's file when it exists"),
    policy: parameter.strings("--policy <dir...>", "extra folders of ClaimPolicy documents"),
  },
  crds: {},
  devUp: {
    stateDir,
    clusters: parameter.string(
      "--clusters <names>",
      "comma-separated cluster names",
      "provider,consumer",
    ),
    kubernetesVersion: parameter.string(
      "--kubernetes-version <version>",
      `${controlPlaneServers.current.version} (current) or ${controlPlaneServers.old.version} (old)`,
      "current",
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
  backend: {
    ...configFile,
    ...oneCluster("provider"),
    informerScope: parameter.choice(
      "--informer-scope <scope>",
      "default informer scope of exports",
      ["Namespaced", "Cluster"],
      "Namespaced",
    ),
    isolation: parameter.choice(
      "--isolation <isolation>",
      "default isolation of exports",
      ["Prefixed", "Namespaced", "None"],
      "Prefixed",
    ),
    schemaGrace: parameter.string(
      "--schema-grace <seconds>",
      "how long a request waits for a CRD it names before it fails",
      "60",
    ),
  },

  konnector: { ...configFile, ...oneCluster("consumer") },

  reconcile: {
    repo: parameter.string("--repo <path>", "the git repository to reconcile", "."),
    rev: parameter.string("--rev <rev>", "the revision to reconcile", "HEAD"),
    ...reconcilerOptions,
    statusDir: parameter.string(
      "--status-dir <dir>",
      "also write the status files under this folder (e.g. a checkout)",
    ),
  },
  plan: {
    repo: parameter.string("--repo <path>", "the git repository to plan", "."),
    rev: parameter.string("--rev <rev>", "the revision to plan", "HEAD"),
    ...clusterOptions,
    backend: reconcilerOptions.backend,
    output: parameter.choice("-o, --output <format>", "output format", ["text", "json"], "text"),
    exitCode: parameter.flag(
      "--exit-code",
      "exit 1 when a reconcile would change something (0 when it would not), like kubectl diff",
    ),
  },
  run: {
    ...configFile,
    repo: parameter.string("--repo <url|path>", "the git repository to follow", "."),
    branch: parameter.string("--branch <branch>", "the branch to follow (default: the remote's)"),
    interval: parameter.string(
      "--interval <seconds>",
      "how often to fetch and reconcile (hand edits are reverted then too)",
      "30",
    ),
    konnector: parameter.flag(
      "--no-konnector",
      "do not run the konnector on the consumer clusters (one runs there already)",
    ),
    ...reconcilerOptions,
    author: parameter.string(
      "--author <name <email>>",
      "author of status commits",
      "bindops <bindops@example.invalid>",
    ),
    once: parameter.flag("--once", "fetch, reconcile and commit the status once, then exit"),
    healthAddr: parameter.string(
      "--health-addr <host:port>",
      "serve /healthz and /readyz here (port 0: a free one)",
      ":9440",
    ),
    metricsAddr: parameter.string(
      "--metrics-addr <host:port>",
      "serve /metrics (Prometheus) here",
      ":8080",
    ),
    webhookAddr: parameter.string(
      "--webhook-addr <host:port>",
      "serve POST /webhook/github here (only with a webhook secret)",
      ":9292",
    ),
    webhookSecretFile: parameter.string(
      "--webhook-secret-file <file>",
      "the GitHub webhook secret (default: BINDOPS_WEBHOOK_SECRET)",
    ),
    leaderElect: parameter.flag(
      "--leader-elect",
      "reconcile only while holding a Lease, so that replicas take over from each other",
    ),
    leaderElectionCluster: parameter.string(
      "--leader-election-cluster <name>",
      "the cluster that holds the Lease (default: the one bindops runs in)",
    ),
    leaderElectionNamespace: parameter.string(
      "--leader-election-namespace <ns>",
      "the Lease's namespace",
      "bindops-system",
    ),
    leaderElectionId: parameter.string(
      "--leader-election-id <name>",
      "the Lease's name",
      "bindops",
    ),
    leaseDuration: parameter.string(
      "--lease-duration <seconds>",
      "how long a Lease is valid",
      "15",
    ),
    renewDeadline: parameter.string(
      "--renew-deadline <seconds>",
      "a leader that has not renewed for this long stops",
      "10",
    ),
    retryPeriod: parameter.string("--retry-period <seconds>", "between Lease attempts", "2"),
    shards: parameter.string(
      "--shards <count>",
      "share the bindings among replicas: each holds about count/replicas shards, one Lease each (see --leader-election-*)",
      "1",
    ),
    watch: parameter.flag(
      "--watch",
      "follow a local folder as it is saved: each save is reconciled within a second; status is written to its status/, not committed",
    ),
  },
};

/** The options each command receives, by command. */
export type OptionsOf<K extends keyof typeof commandSpecs> = CommandOptions<
  (typeof commandSpecs)[K]
>;
