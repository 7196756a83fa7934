import { stringify } from "yaml";
import { kubeBindCrds } from "./kube-bind-crds.js";

/** bindops's CRDs for kube-bind's kinds as one YAML stream, as `bindops crds` prints them. */
export function kubeBindCrdsYaml(): string {
  return kubeBindCrds()
    .map((crd) => `---\n${stringify(crd, { lineWidth: 0 })}`)
    .join("");
}
