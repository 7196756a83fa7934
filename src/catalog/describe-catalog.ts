import type { PolicyEffect } from "../policy/claim-policy.js";
import type {
  CatalogBindingStatus,
  CatalogClaim,
  CatalogKind,
  CatalogPolicyVerdict,
} from "./catalog.js";

/** Shared wording of the catalog's renderers (text, markdown, the static site). */

/** `allowed`, `needs approval`, `denied`. */
export function effectInWords(effect: PolicyEffect): string {
  return effect === "allow" ? "allowed" : effect === "deny" ? "denied" : "needs approval";
}

/** `needs approval under acme/dbaas-init-scripts`, `allowed (no rule matched)`. */
export function verdictInWords(verdict: CatalogPolicyVerdict): string {
  if (verdict.rule === undefined) return `${effectInWords(verdict.effect)} (no rule matched)`;
  const rule = `${verdict.policy ?? ""}/${verdict.rule}`;
  return verdict.effect === "allow"
    ? `allowed by ${rule}`
    : verdict.effect === "deny"
      ? `denied by ${rule}`
      : `needs approval under ${rule}`;
}

/** `PostgresCluster` (or the resource), its group and versions: `postgresclusters.dbaas.example.com v1alpha1`. */
export function kindTitle(kind: CatalogKind): string {
  return kind.kind ?? kind.resource;
}

export function kindResourceName(kind: CatalogKind): string {
  return kind.group === "" ? kind.resource : `${kind.resource}.${kind.group}`;
}

/** `Version, Instances, Phase (wide: Endpoint)`: what `kubectl get` shows of the kind. */
export function columnsInWords(kind: CatalogKind): string {
  const normal = kind.printerColumns.filter((c) => c.priority === 0).map((c) => c.name);
  const wide = kind.printerColumns.filter((c) => c.priority > 0).map((c) => c.name);
  return `${normal.join(", ")}${wide.length > 0 ? ` (-o wide: ${wide.join(", ")})` : ""}`;
}

/** The claim as one sentence with the provider as its subject. */
export function claimSentence(claim: Pick<CatalogClaim, "words">): string {
  return `The provider ${claim.words}.`;
}

/** `Synced (Ready: True)`, `Failed (Ready: False, RequestFailed: ...)`, `no status yet`. */
export function statusInWords(status: CatalogBindingStatus | undefined): string {
  if (status === undefined) return "no status yet (not reconciled)";
  const ready = status.ready;
  if (ready === undefined) return status.phase;
  const why = [ready.reason, ready.message].filter((s) => s !== undefined && s !== "").join(": ");
  return `${status.phase} (Ready ${ready.status}${why ? `, ${why}` : ""})`;
}
