import { readFileSync } from "node:fs";
import path from "node:path";
import { Option, type Command } from "commander";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import { BindopsError } from "../core/errors.js";
import type { CommandSpec, ParameterSpec } from "./command-spec.js";

/**
 * Where an option's value came from, strongest first: the command line, the environment
 * (`BINDOPS_<OPTION>`), the config file (`--config`, else `BINDOPS_CONFIG`), the default. The
 * server commands (`run`, `backend`, `konnector`) take all four, as controllers deployed in a
 * cluster are configured; the others only the command line.
 */
export interface OptionSources {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/** `--leader-elect` → `BINDOPS_LEADER_ELECT`; `--no-konnector` → `BINDOPS_KONNECTOR`. */
export function optionEnvVar(attributeName: string): string {
  return `BINDOPS_${attributeName.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** `leaderElect` → `leader-elect`: config keys are the long flags without dashes and `no-`. */
export function optionConfigKey(attributeName: string): string {
  return attributeName.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * Fills the options of `command` (declared from `specs`) that the command line left at their
 * defaults from the environment and then from the config file, recording each value's source as
 * commander does. A config file that cannot be read, an unknown key or a value of the wrong type
 * is a usage error naming the file and line.
 */
export function fillFromEnvironmentAndConfig(
  command: Command,
  specs: readonly CommandSpec[],
  sources: OptionSources,
): void {
  const options = new Map<string, { spec: ParameterSpec<unknown>; command: Command }>();
  for (const spec of specs) {
    for (const [name, p] of Object.entries(spec)) {
      if (p.kind !== "option" || name === "config") continue;
      const owner = ownerOf(command, name) ?? command;
      options.set(name, { spec: p, command: owner });
    }
  }
  const unset = (name: string, owner: Command) => {
    const source = owner.getOptionValueSource(name);
    return source === undefined || source === "default" || source === "implied";
  };

  for (const [name, { spec, command: owner }] of options) {
    const variable = optionEnvVar(name);
    const raw = sources.env[variable];
    if (raw === undefined || raw === "" || !unset(name, owner)) continue;
    owner.setOptionValueWithSource(name, fromEnvironment(spec, raw, variable), "env");
  }

  const configFile =
    (command.getOptionValue("config") as string | undefined) ?? sources.env.BINDOPS_CONFIG;
  if (configFile === undefined || configFile === "") return;
  const file = path.resolve(sources.cwd, configFile);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new BindopsError(
      "usage",
      "config-unreadable",
      `cannot read the config file ${configFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  const lines = new LineCounter();
  // Failsafe: every scalar is the text written (a branch 1.10 stays 1.10, an id 0123 stays 0123);
  // each option reads it as its type.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, schema: "failsafe" });
  const at = (node: Node | null | undefined) =>
    `${configFile}:${node?.range ? lines.linePos(node.range[0]).line : 1}`;
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    throw new BindopsError(
      "usage",
      "config-syntax",
      `${configFile}:${first.linePos?.[0].line ?? 1}: ${first.message.split("\n")[0]}`,
    );
  }
  if (doc.contents === null) return;
  if (!isMap(doc.contents)) {
    throw new BindopsError(
      "usage",
      "config-shape",
      `${at(doc.contents)}: a config file is a mapping of option names to values`,
      { hint: "for example\n  interval: 60\n  leader-elect: true" },
    );
  }
  const byKey = new Map([...options].map(([name, o]) => [optionConfigKey(name), { name, ...o }]));
  for (const pair of doc.contents.items) {
    const keyNode = pair.key as Node | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : "";
    const option = byKey.get(key);
    if (option === undefined) {
      throw new BindopsError(
        "usage",
        "config-unknown-option",
        `${at(keyNode)}: unknown option ${JSON.stringify(key)} for bindops ${command.name()}`,
        { hint: `known: ${[...byKey.keys()].sort().join(", ")}` },
      );
    }
    if (!unset(option.name, option.command)) continue;
    const value = fromConfig(option.spec, pair.value, `${at(pair.value)}: ${key}`);
    option.command.setOptionValueWithSource(option.name, value, "config");
  }
}

/** The command in `command`'s ancestry (itself first) that declares option `name`. */
function ownerOf(command: Command, name: string): Command | undefined {
  for (let c: Command | null = command; c; c = c.parent) {
    if (c.options.some((o: Option) => o.attributeName() === name)) return c;
  }
  return undefined;
}

function fromEnvironment(spec: ParameterSpec<unknown>, raw: string, variable: string): unknown {
  const value = typed(spec, raw.includes(",") && isList(spec) ? raw.split(",") : raw);
  if (value === undefined) throw invalid(spec, variable, raw);
  return value;
}

function fromConfig(spec: ParameterSpec<unknown>, node: Node | null, where: string): unknown {
  let raw: unknown;
  if (isSeq(node)) raw = node.items.map((item) => (isScalar(item) ? item.value : undefined));
  else if (isScalar(node)) raw = node.value;
  const value = typed(spec, raw);
  if (value === undefined) throw invalid(spec, where, raw);
  return value;
}

function isList(spec: ParameterSpec<unknown>): boolean {
  return spec.read(["x"]) !== undefined;
}

/** `raw` as the option's type: booleans from true/false (1/0, yes/no), numbers as strings. */
function typed(spec: ParameterSpec<unknown>, raw: unknown): unknown {
  const candidates: unknown[] = [];
  if (typeof raw === "string") {
    const lower = raw.trim().toLowerCase();
    if (["true", "1", "yes"].includes(lower)) candidates.push(true);
    if (["false", "0", "no"].includes(lower)) candidates.push(false);
    candidates.push(raw, [raw]);
  } else if (typeof raw === "number") {
    candidates.push(String(raw), [String(raw)]);
  } else if (typeof raw === "boolean") {
    candidates.push(raw);
  } else if (
    Array.isArray(raw) &&
    raw.every((v) => typeof v === "string" || typeof v === "number")
  ) {
    candidates.push(raw.map(String));
  }
  for (const candidate of candidates) {
    const value = spec.read(candidate);
    if (value !== undefined) return value;
  }
  return undefined;
}

function invalid(spec: ParameterSpec<unknown>, where: string, raw: unknown): BindopsError {
  const flag = new Option(spec.syntax).long ?? spec.syntax;
  const expected = spec.choices
    ? `one of ${spec.choices.join(", ")}`
    : spec.read(true) !== undefined
      ? "true or false"
      : isList(spec)
        ? "a list"
        : "a value";
  return new BindopsError(
    "usage",
    "config-bad-value",
    `${where}: ${JSON.stringify(raw)} is not a valid value for ${flag} (${expected})`,
  );
}
