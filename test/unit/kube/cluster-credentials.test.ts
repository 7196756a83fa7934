import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { BindopsError } from "../../../src/core/errors.js";
import { loadKubeConfig } from "../../../src/kube/load-kube-config.js";
import {
  credentialEnvVar,
  describeCredentialSource,
  resolveClusterCredentials,
  resolveInClusterCredentials,
} from "../../../src/kube/resolve-cluster-credentials.js";
import { RestKubeClient } from "../../../src/kube/rest-kube-client.js";

const secretToken = "s3cr3t-token-value";

function kubeconfig(contexts: { name: string; server: string }[], current?: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    ...contexts.flatMap((c) => [
      `- name: ${c.name}`,
      `  cluster: {server: "${c.server}", insecure-skip-tls-verify: true}`,
    ]),
    "users:",
    ...contexts.flatMap((c) => [`- name: ${c.name}`, `  user: {token: ${secretToken}}`]),
    "contexts:",
    ...contexts.flatMap((c) => [
      `- name: ${c.name}`,
      `  context: {cluster: ${c.name}, user: ${c.name}}`,
    ]),
    ...(current === undefined ? [] : [`current-context: ${current}`]),
    "",
  ].join("\n");
}

function usageError(code: string, includes?: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof BindopsError, String(e));
    assert.equal(e.kind, "usage");
    assert.equal(e.code, code);
    assert.equal(e.exitCode, 3);
    if (includes) assert.match(e.message, includes);
    assert.ok(!e.message.includes(secretToken), "the message never shows the token");
    assert.ok(e.hint, "a usage error says what to do");
    return true;
  };
}

/** The server the loaded credentials would talk to: what a user notices. */
function serverOf(source: Parameters<typeof loadKubeConfig>[0], env = {}): string {
  return new RestKubeClient(loadKubeConfig(source, { env })).server;
}

describe("cluster credentials", () => {
  let dir: string;
  let dirFile: string;
  let envFile: string;
  let sharedFile: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "bindops-creds-"));
    mkdirSync(path.join(dir, "dev"));
    dirFile = path.join(dir, "dev", "provider.kubeconfig");
    writeFileSync(dirFile, kubeconfig([{ name: "p", server: "http://127.0.0.1:1001" }], "p"));
    envFile = path.join(dir, "from-env.yaml");
    writeFileSync(envFile, kubeconfig([{ name: "e", server: "http://127.0.0.1:1002" }], "e"));
    sharedFile = path.join(dir, "shared.yaml");
    writeFileSync(
      sharedFile,
      kubeconfig(
        [
          { name: "provider", server: "http://127.0.0.1:1003" },
          { name: "my-consumer", server: "http://127.0.0.1:1004" },
        ],
        "provider",
      ),
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("names the environment variable after the cluster", () => {
    assert.equal(credentialEnvVar("provider"), "BINDOPS_KUBECONFIG_PROVIDER");
    assert.equal(credentialEnvVar("edge-eu-1"), "BINDOPS_KUBECONFIG_EDGE_EU_1");
  });

  it("prefers --kubeconfig-dir, then the environment variable, then --kubeconfig", () => {
    const all = {
      kubeconfigDir: path.join(dir, "dev"),
      kubeconfig: sharedFile,
      env: { BINDOPS_KUBECONFIG_PROVIDER: envFile, KUBECONFIG: sharedFile },
    };
    const first = resolveClusterCredentials("provider", all);
    assert.deepEqual(first, { from: "kubeconfig-dir", cluster: "provider", file: dirFile });
    assert.equal(serverOf(first), "http://127.0.0.1:1001");

    // No provider.kubeconfig for this name in the folder: the variable is next.
    const second = resolveClusterCredentials("provider", { ...all, kubeconfigDir: dir });
    assert.equal(second.from, "env");
    assert.equal(serverOf(second), "http://127.0.0.1:1002");
    assert.match(describeCredentialSource(second), /BINDOPS_KUBECONFIG_PROVIDER/);

    const third = resolveClusterCredentials("my-consumer", all);
    assert.deepEqual(third, {
      from: "kubeconfig",
      cluster: "my-consumer",
      files: [sharedFile],
      context: "my-consumer",
      via: "flag",
    });
    // The context named like the cluster, not the file's current context.
    assert.equal(serverOf(third), "http://127.0.0.1:1004");
  });

  it("uses KUBECONFIG (a list of files) when --kubeconfig is not given", () => {
    const other = path.join(dir, "other.yaml");
    writeFileSync(other, kubeconfig([{ name: "provider", server: "http://127.0.0.1:1999" }]));
    const source = resolveClusterCredentials("provider", {
      env: { KUBECONFIG: [sharedFile, other].join(path.delimiter) },
    });
    assert.equal(source.from, "kubeconfig");
    // As with kubectl, the first file that defines a name wins.
    assert.equal(serverOf(source), "http://127.0.0.1:1003");
  });

  it("accepts a kubeconfig held in the variable itself and never describes its content", () => {
    const env = {
      BINDOPS_KUBECONFIG_CI: kubeconfig([{ name: "ci", server: "http://127.0.0.1:1005" }], "ci"),
    };
    const source = resolveClusterCredentials("ci", { env });
    assert.deepEqual(source, {
      from: "env-inline",
      cluster: "ci",
      variable: "BINDOPS_KUBECONFIG_CI",
    });
    assert.equal(serverOf(source, env), "http://127.0.0.1:1005");
    assert.ok(!JSON.stringify(source).includes(secretToken));
    assert.ok(!describeCredentialSource(source).includes(secretToken));
  });

  it("is a usage error naming every way to give credentials when there are none", () => {
    assert.throws(
      () => resolveClusterCredentials("edge-1", { env: {}, kubeconfigDir: dir }),
      (e: unknown) => {
        usageError("no-credentials", /edge-1/)(e);
        const hint = (e as BindopsError).hint ?? "";
        assert.match(hint, /edge-1\.kubeconfig/);
        assert.match(hint, /BINDOPS_KUBECONFIG_EDGE_1/);
        assert.match(hint, /--kubeconfig/);
        return true;
      },
    );
  });

  it("never reads --kubeconfig-dir's variable as the kubeconfig of a cluster named dir", () => {
    // BINDOPS_KUBECONFIG_DIR names the folder (`--kubeconfig-dir` from the environment).
    const env = { BINDOPS_KUBECONFIG_DIR: path.join(dir, "dev"), KUBECONFIG: sharedFile };
    const source = resolveClusterCredentials("dir", { env });
    assert.equal(source.from, "kubeconfig");
    assert.equal(source.from === "kubeconfig" && source.via, "KUBECONFIG");
    assert.throws(
      () => resolveClusterCredentials("dir", { env: { BINDOPS_KUBECONFIG_DIR: envFile } }),
      (e: unknown) => {
        usageError("no-credentials", /"dir"/)(e);
        assert.match((e as BindopsError).hint ?? "", /variable of --kubeconfig-dir/);
        return true;
      },
    );
  });
  it("is a usage error when the kubeconfig has no context named like the cluster", () => {
    const source = resolveClusterCredentials("consumer", { kubeconfig: sharedFile, env: {} });
    assert.throws(
      () => loadKubeConfig(source),
      usageError("kubeconfig-context", /no context named "consumer".*provider, my-consumer/),
    );
  });

  it("is a usage error when the kubeconfig file is missing", () => {
    const source = resolveClusterCredentials("provider", {
      env: { BINDOPS_KUBECONFIG_PROVIDER: path.join(dir, "nope.yaml") },
    });
    assert.throws(() => loadKubeConfig(source), usageError("kubeconfig-missing", /nope\.yaml/));
  });

  it("is a usage error, without quoting the file, when the kubeconfig does not parse", () => {
    const broken = path.join(dir, "broken.yaml");
    writeFileSync(broken, `users:\n- name: x\n  user: {token: ${secretToken}\n`);
    const source = resolveClusterCredentials("provider", { kubeconfig: broken, env: {} });
    assert.throws(() => loadKubeConfig(source), usageError("kubeconfig-invalid", /not valid YAML/));
  });

  it("is a usage error when the kubeconfig is not a kubeconfig at all", () => {
    const empty = path.join(dir, "empty.yaml");
    writeFileSync(empty, "");
    const source = resolveClusterCredentials("provider", { kubeconfig: empty, env: {} });
    assert.throws(() => loadKubeConfig(source), usageError("kubeconfig-invalid"));
  });

  it("uses the service account inside a pod", () => {
    const sa = path.join(dir, "sa");
    mkdirSync(sa);
    writeFileSync(path.join(sa, "token"), secretToken);
    writeFileSync(path.join(sa, "ca.crt"), "");
    writeFileSync(path.join(sa, "namespace"), "bindops-system\n");
    const env = { KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443" };
    const source = resolveInClusterCredentials("provider", { env, serviceAccountDir: sa });
    assert.equal(source.from, "in-cluster");
    const client = new RestKubeClient(loadKubeConfig(source));
    assert.equal(client.server, "https://10.0.0.1:443");
    assert.equal(client.defaultNamespace, "bindops-system");

    assert.throws(
      () => resolveInClusterCredentials("provider", { env: {}, serviceAccountDir: sa }),
      usageError("not-in-cluster", /KUBERNETES_SERVICE_HOST/),
    );
  });
});
