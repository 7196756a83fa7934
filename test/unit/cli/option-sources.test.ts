import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { readParameters } from "../../../src/cli/command-spec.js";
import { commandSpecs } from "../../../src/cli/commands/command-specs.js";
import { optionConfigKey, optionEnvVar } from "../../../src/cli/option-sources.js";
import { buildProgram, run, type RunEnvironment } from "../../../src/cli/run.js";
import { ExitCode, type BindopsError } from "../../../src/core/errors.js";

describe("server options from flags, BINDOPS_<OPTION> variables and a config file", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "bindops-config-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const configFile = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  /** What `bindops <args>` hands its command (and the global options), without running it. */
  async function parse(args: string[], env: Record<string, string> = {}) {
    const environment: RunEnvironment = {
      argv: ["node", "bindops", ...args],
      env,
      cwd: dir,
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      signal: new AbortController().signal,
    };
    let seen: Record<string, unknown> = {};
    const program = buildProgram(environment, (cmd) => {
      const key = cmd.name() as "run" | "validate" | "konnector";
      seen = {
        ...readParameters(commandSpecs.global, cmd, cmd.optsWithGlobals()),
        ...readParameters(commandSpecs[key], cmd),
      };
      return Promise.resolve();
    });
    await program.parseAsync(environment.argv);
    return seen;
  }

  it("names variables and keys after the long flags", () => {
    assert.equal(optionEnvVar("leaderElect"), "BINDOPS_LEADER_ELECT");
    assert.equal(optionEnvVar("konnector"), "BINDOPS_KONNECTOR");
    assert.equal(optionConfigKey("webhookSecretFile"), "webhook-secret-file");
  });

  it("takes values from the environment, and the command line wins over it", async () => {
    const env = {
      BINDOPS_INTERVAL: "120",
      BINDOPS_LEADER_ELECT: "true",
      BINDOPS_KONNECTOR: "false",
      BINDOPS_LOG_FORMAT: "json",
    };
    const fromEnv = await parse(["run"], env);
    assert.equal(fromEnv.interval, "120");
    assert.equal(fromEnv.leaderElect, true);
    assert.equal(fromEnv.konnector, false);
    assert.equal(fromEnv.logFormat, "json");
    const flagged = await parse(["run", "--interval", "5", "--log-format", "text"], env);
    assert.equal(flagged.interval, "5");
    assert.equal(flagged.logFormat, "text");
    assert.equal(flagged.leaderElect, true);
  });

  it("reads a config file named by --config or BINDOPS_CONFIG, below the environment", async () => {
    const file = configFile(
      "bindops.config.yaml",
      [
        "repo: https://git.example/platform/bindings.git",
        "branch: main",
        "interval: 60",
        "leader-elect: true",
        "konnector: false",
        "backend: external",
        "log-level: debug",
        "",
      ].join("\n"),
    );
    const fromFile = await parse(["run", "--config", file]);
    assert.equal(fromFile.repo, "https://git.example/platform/bindings.git");
    assert.equal(fromFile.branch, "main");
    assert.equal(fromFile.interval, "60");
    assert.equal(fromFile.leaderElect, true);
    assert.equal(fromFile.konnector, false);
    assert.equal(fromFile.backend, "external");
    assert.equal(fromFile.logLevel, "debug");

    const layered = await parse(["run", "--branch", "release"], {
      BINDOPS_CONFIG: "bindops.config.yaml",
      BINDOPS_INTERVAL: "15",
    });
    assert.equal(layered.branch, "release", "the flag wins");
    assert.equal(layered.interval, "15", "the environment wins over the file");
    assert.equal(layered.repo, "https://git.example/platform/bindings.git", "the file fills in");
    assert.equal(layered.healthAddr, ":9440", "defaults stay where nothing is set");
  });

  it("reads values as written: a branch 1.10 and an id 0123 are not numbers", async () => {
    const file = configFile(
      "numbers.yaml",
      "branch: 1.10\nleader-election-id: 0123\nleader-elect: yes\n",
    );
    const seen = await parse(["run", "--config", file]);
    assert.equal(seen.branch, "1.10");
    assert.equal(seen.leaderElectionId, "0123");
    assert.equal(seen.leaderElect, true);
  });

  it("refuses an unknown option, a wrong value and a broken file, naming the file and line", async () => {
    const unknown = configFile("unknown.yaml", "interval: 30\nintervall: 60\n");
    await assert.rejects(
      parse(["run", "--config", unknown]),
      (error: unknown) =>
        (error as BindopsError).kind === "usage" &&
        (error as BindopsError).code === "config-unknown-option" &&
        /unknown\.yaml:2: unknown option "intervall"/.test((error as Error).message),
    );
    const wrong = configFile("wrong.yaml", "backend: kube-bind\n");
    await assert.rejects(
      parse(["run", "--config", wrong]),
      /wrong\.yaml:1: backend: "kube-bind" is not a valid value for --backend \(one of builtin, external\)/,
    );
    await assert.rejects(
      parse(["run"], { BINDOPS_LEADER_ELECT: "maybe" }),
      /BINDOPS_LEADER_ELECT: "maybe" is not a valid value for --leader-elect \(true or false\)/,
    );
    const broken = configFile("broken.yaml", "interval: 30\n  leader-elect: [\n");
    await assert.rejects(parse(["run", "--config", broken]), /broken\.yaml:\d+:/);
    await assert.rejects(
      parse(["run", "--config", path.join(dir, "missing.yaml")]),
      /cannot read the config file .*missing\.yaml: ENOENT/,
    );
  });

  it("exits 3 with the file and line when bindops run is given a bad config file", async () => {
    const file = configFile("typo.yaml", "leader-elect: true\nleader-elekt: true\n");
    const stderr = new PassThrough();
    const code = await run({
      argv: ["node", "bindops", "run", "--config", file],
      env: {},
      cwd: dir,
      stdout: new PassThrough(),
      stderr,
      signal: new AbortController().signal,
    });
    assert.equal(code, ExitCode.usage);
    const text = String(stderr.read());
    assert.match(text, /error: .*typo\.yaml:2: unknown option "leader-elekt" for bindops run/);
    assert.match(text, /hint: known: .*leader-elect/);
  });

  it("applies only to the server commands: validate's output is not taken from the environment", async () => {
    const seen = await parse(["validate"], { BINDOPS_OUTPUT: "json" });
    assert.equal(seen.output, "text");
    const konnector = await parse(["konnector"], { BINDOPS_CLUSTER: "edge" });
    assert.equal(konnector.cluster, "edge");
  });
});
