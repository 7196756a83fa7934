import { Argument, Option, type Command } from "commander";
import { BindopsError } from "../core/errors.js";

/**
 * One option or argument of a command, declared once: how commander shows and parses it, and the
 * type its value has when the command receives it.
 */
export interface ParameterSpec<T> {
  kind: "option" | "argument";
  /** Commander's flags (`-o, --output <format>`) or argument syntax (`[paths...]`). */
  syntax: string;
  description: string;
  /** Narrows commander's value to `T`; a mismatch is a bug in the declaration, not user input. */
  read: (value: unknown) => T | undefined;
  /** The value when the user gives none; `undefined` leaves it out. */
  fallback?: T;
  choices?: readonly string[];
  /** Options that may not be given together with this one (their attribute names). */
  conflicts?: readonly string[];
}

/** The parameters of one command, keyed by the name the command reads them under. */
export type CommandSpec = Record<string, ParameterSpec<unknown>>;

/** What a command receives for a {@link CommandSpec}: each value typed, none `unknown`. */
export type CommandOptions<S extends CommandSpec> = {
  [K in keyof S]: S[K] extends ParameterSpec<infer T>
    ? S[K] extends { fallback: T }
      ? T
      : T | undefined
    : never;
};

const asString = (value: unknown) => (typeof value === "string" ? value : undefined);
const asBoolean = (value: unknown) => (typeof value === "boolean" ? value : undefined);
const asStrings = (value: unknown) =>
  Array.isArray(value) && value.every((v) => typeof v === "string") ? value : undefined;

/** More about an option than its syntax, description and default. */
interface OptionExtra {
  /** Options that may not be given together with this one (their attribute names). */
  conflicts?: readonly string[];
}

function stringOption(
  syntax: string,
  description: string,
  fallback: string,
  extra?: OptionExtra,
): ParameterSpec<string> & { fallback: string };
function stringOption(
  syntax: string,
  description: string,
  fallback?: undefined,
  extra?: OptionExtra,
): ParameterSpec<string>;
function stringOption(
  syntax: string,
  description: string,
  fallback?: string,
  extra: OptionExtra = {},
): ParameterSpec<string> {
  return {
    kind: "option",
    syntax,
    description,
    read: asString,
    ...(fallback === undefined ? {} : { fallback }),
    ...extra,
  };
}

/** Builders of {@link ParameterSpec}s, one per shape of value: declaring an option is one line. */
export const parameter = {
  /** `--flag <value>`: a string, or `undefined` when not given and without a default. */
  string: stringOption,
  /** `--flag <value...>`: the values given, or `undefined`. */
  strings: (syntax: string, description: string): ParameterSpec<string[]> => ({
    kind: "option",
    syntax,
    description,
    read: asStrings,
  }),
  /** `--flag` (false unless given) or `--no-flag` (true unless given). */
  flag: (syntax: string, description: string): ParameterSpec<boolean> & { fallback: boolean } => ({
    kind: "option",
    syntax,
    description,
    read: asBoolean,
    fallback: /(^|[\s,])--no-/.test(syntax),
  }),
  /** `--flag <value>`, one of `choices`. */
  choice: <C extends string>(
    syntax: string,
    description: string,
    choices: readonly C[],
    fallback: NoInfer<C>,
  ): ParameterSpec<C> & { fallback: C } => ({
    kind: "option",
    syntax,
    description,
    read: (value) => choices.find((c) => c === value),
    fallback,
    choices,
  }),
  /** `[name]`: the operand, or `fallback` when none is given. */
  operand: (
    syntax: string,
    description: string,
    fallback: string,
  ): ParameterSpec<string> & { fallback: string } => ({
    kind: "argument",
    syntax,
    description,
    read: asString,
    fallback,
  }),
  /** `[name...]`: the operands, or `fallback` when none are given. */
  operands: (
    syntax: string,
    description: string,
    fallback: string[],
  ): ParameterSpec<string[]> & { fallback: string[] } => ({
    kind: "argument",
    syntax,
    description,
    read: asStrings,
    fallback,
  }),
};

/** Declares a command's parameters on commander, in the order of the spec. */
export function addParameters(command: Command, spec: CommandSpec): Command {
  for (const [name, p] of Object.entries(spec)) {
    if (p.kind === "argument") {
      const argument = new Argument(p.syntax, p.description);
      if (p.fallback !== undefined) argument.default(p.fallback);
      command.addArgument(argument);
      continue;
    }
    const option = new Option(p.syntax, p.description);
    if (option.attributeName() !== name) {
      throw new BindopsError(
        "internal",
        "option-name",
        `option ${p.syntax} is read as ${option.attributeName()}, but declared as ${name}`,
      );
    }
    if (p.choices) option.choices(p.choices);
    // A negated flag defaults to true in commander already, and its help has always said nothing.
    if (p.fallback !== undefined && !option.negate) option.default(p.fallback);
    if (p.conflicts) option.conflicts([...p.conflicts]);
    command.addOption(option);
  }
  return command;
}

/** The typed values of a command's parameters, as commander parsed them for `command`. */
export function readParameters<S extends CommandSpec>(
  spec: S,
  command: Command,
  values: Record<string, unknown> = command.opts(),
): CommandOptions<S> {
  const result: Record<string, unknown> = {};
  let operand = 0;
  for (const [name, p] of Object.entries(spec)) {
    const raw: unknown = p.kind === "argument" ? command.processedArgs[operand++] : values[name];
    const value = p.read(raw);
    if (value === undefined && raw !== undefined) {
      throw new BindopsError(
        "internal",
        "option-type",
        `${p.syntax} was parsed as ${JSON.stringify(raw)}, which its declaration does not allow`,
      );
    }
    const resolved = value ?? p.fallback;
    if (resolved !== undefined) result[name] = resolved;
  }
  return result as CommandOptions<S>;
}
