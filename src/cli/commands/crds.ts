import { ExitCode } from "../../core/errors.js";
import { kubeBindCrdsYaml } from "../../schema/kube-bind-crds-yaml.js";
import type { CommandContext } from "../io.js";
import type { OptionsOf } from "./command-specs.js";

/** `bindops crds`: the CRDs bindops installs for kube-bind's kinds, as one YAML stream. */
export function crdsCommand(ctx: CommandContext, _options: OptionsOf<"crds">): Promise<ExitCode> {
  ctx.stdout.write(kubeBindCrdsYaml());
  return Promise.resolve(ExitCode.ok);
}
