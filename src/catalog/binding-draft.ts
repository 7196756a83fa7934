import { stringify } from "yaml";
import { bindopsApiVersion } from "../core/kube-groups.js";
import { asArray, asRecord, field } from "../core/lenient.js";
import type { ManifestDocument } from "../core/manifest.js";

/** How `bindops bind --claims` names a claim: `secrets`, or `widgets.example.com`. */
export function claimId(group: string, resource: string): string {
  return group === "" ? resource : `${resource}.${group}`;
}

/** What a new ServiceBinding says. */
export interface BindingDraft {
  name: string;
  /** The consumer cluster. */
  consumer: string;
  /** The provider cluster. */
  provider: string;
  template: string;
  /** Confines the claims; none means every namespace. */
  namespaces?: readonly string[];
  /** The accepted claims, as the template writes them. */
  claims: readonly Record<string, unknown>[];
}

/**
 * The template's `spec.permissionClaims` entries as a binding accepts them whole: copied as
 * written, with the direction spelled out (kube-bind's default is `Both`) so that the consent in
 * git says it.
 */
export function acceptedClaimsOf(template: ManifestDocument): Record<string, unknown>[] {
  return asArray(field(template.value, "spec", "permissionClaims")).map((entry) => {
    const claim = structuredClone(asRecord(entry) ?? {});
    return { ...claim, direction: claim.direction ?? "Both" };
  });
}

/** The `ServiceBinding` object of a draft, in the shape DESIGN.md fixes. */
export function bindingObject(draft: BindingDraft): Record<string, unknown> {
  return {
    apiVersion: bindopsApiVersion,
    kind: "ServiceBinding",
    metadata: { name: draft.name },
    spec: {
      consumer: draft.consumer,
      provider: draft.provider,
      template: draft.template,
      ...(draft.namespaces && draft.namespaces.length > 0
        ? { namespaces: draft.namespaces.map((name) => ({ name })) }
        : {}),
      permissionClaims: draft.claims,
    },
  };
}

/** The draft as a file: a comment that says what it is, then the document. */
export function bindingYaml(draft: BindingDraft): string {
  const accepted = draft.claims.length;
  const header = [
    `# The consumer cluster ${draft.consumer} binds the template ${draft.template} of the provider cluster ${draft.provider}.`,
    accepted === 0
      ? "# It accepts none of the template's permission claims."
      : `# It accepts ${accepted === 1 ? "this permission claim" : `these ${accepted} permission claims`} as the template asks for ${accepted === 1 ? "it" : "them"}: remove or narrow what you do not grant.`,
    "---",
  ];
  return `${header.join("\n")}\n${stringify(bindingObject(draft), { lineWidth: 0 })}`;
}
