import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { Command } from "commander";
import { addParameters, parameter, readParameters } from "../../../src/cli/command-spec.js";
import { commandSpecs } from "../../../src/cli/commands/command-specs.js";
import { buildProgram, type RunEnvironment } from "../../../src/cli/run.js";

const spec = {
  paths: parameter.operands("[paths...]", "paths", ["."]),
  output: parameter.choice("-o, --output <format>", "format", ["text", "json"], "text"),
  name: parameter.string("--name <name>", "a name"),
  stateDir: parameter.string("--state-dir <dir>", "state", ".state"),
  dir: parameter.strings("--dir <dir...>", "folders"),
  purge: parameter.flag("--purge", "purge"),
  color: parameter.flag("--no-color", "no colours"),
};

/** Parses argv with `spec` declared on a fresh command, and returns what the action read. */
function parse(argv: string[]) {
  let read: unknown;
  const cmd = addParameters(new Command("t").exitOverride(), spec);
  cmd.action(() => {
    read = readParameters(spec, cmd);
  });
  cmd.parse(argv, { from: "user" });
  return read;
}

describe("command specs: options declared once, read typed", () => {
  it("gives defaults when nothing is passed, and leaves optional values out", () => {
    assert.deepEqual(parse([]), {
      paths: ["."],
      output: "text",
      stateDir: ".state",
      purge: false,
      color: true,
    });
  });

  it("reads every shape of value as given", () => {
    assert.deepEqual(
      parse(["a", "b", "-o", "json", "--name", "n", "--state-dir", "s", "--dir", "x", "y"]),
      {
        paths: ["a", "b"],
        output: "json",
        name: "n",
        stateDir: "s",
        dir: ["x", "y"],
        purge: false,
        color: true,
      },
    );
    assert.deepEqual(parse(["--purge", "--no-color"]), {
      paths: ["."],
      output: "text",
      stateDir: ".state",
      purge: true,
      color: false,
    });
  });

  it("refuses a declaration whose key is not the option's attribute name", () => {
    assert.throws(
      () => addParameters(new Command("t"), { stateDirectory: spec.stateDir }),
      /--state-dir <dir> is read as stateDir, but declared as stateDirectory/,
    );
  });

  it("refuses a value its declaration does not allow (a bug, not user input)", () => {
    const cmd = addParameters(new Command("t"), { name: spec.name });
    assert.throws(() => readParameters({ name: spec.name }, cmd, { name: 3 }), /does not allow/);
  });

  it("declares every command's options under the names the commands read", () => {
    for (const declared of Object.values(commandSpecs)) {
      assert.doesNotThrow(() => addParameters(new Command("t"), declared));
    }
  });

  it("hands validate its options typed, through the real command tree", async () => {
    const env: RunEnvironment = {
      argv: ["node", "bindops", "validate", "a", "b", "--ignore-unknown-kinds", "--exclude", "x"],
      env: {},
      cwd: "/",
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      signal: new AbortController().signal,
    };
    let seen: unknown;
    const program = buildProgram(env, (cmd) => {
      seen = readParameters(commandSpecs.validate, cmd);
      return Promise.resolve();
    });
    await program.parseAsync(env.argv);
    assert.deepEqual(seen, {
      paths: ["a", "b"],
      output: "text",
      exclude: ["x"],
      ignoreUnknownKinds: true,
      maxDocuments: "100000",
      verbose: false,
    });
  });
});
