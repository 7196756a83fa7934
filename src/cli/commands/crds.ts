import { stringify } from "yaml";
import { ExitCode } from "../../core/errors.js";
import { kubeBindCrds } from "../../schema/kube-bind-crds.js";
import type { CommandContext } from "../io.js";

/** `bindops crds`: the CRDs bindops installs for kube-bind's kinds, as one YAML stream. */
export function crdsCommand(ctx: CommandContext): Promise<ExitCode> {
  const documents = kubeBindCrds().map((crd) => stringify(crd, { lineWidth: 0 }));
  ctx.stdout.write(documents.map((doc) => `---\n${doc}`).join(""));
  return Promise.resolve(ExitCode.ok);
}
