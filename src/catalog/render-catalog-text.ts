import { printable } from "../report/printable.js";
import type { Catalog, CatalogTemplate } from "./catalog.js";
import {
  claimSentence,
  columnsInWords,
  effectInWords,
  kindResourceName,
  kindTitle,
  statusInWords,
  verdictInWords,
} from "./describe-catalog.js";

/**
 * The catalog for a terminal: per template its description, the kinds it exports, its claims in
 * words with their grade and the policies' decision, who binds it and how to bind it.
 */
export function renderCatalogText(catalog: Catalog): string {
  const count = catalog.templates.length;
  const lines = [
    `bindops catalog: ${count} template${count === 1 ? "" : "s"} (${catalog.revision.slice(0, 12)})`,
  ];
  if (count === 0) lines.push("", "no APIServiceExportTemplates in this repository");
  for (const template of catalog.templates) lines.push("", ...templateLines(template));
  return lines.map((line) => printable(line)).join("\n") + "\n";
}

function templateLines(t: CatalogTemplate): string[] {
  const lines = [
    `${t.id}${t.description ? ` — ${t.description.replace(/\s+/g, " ")}` : ""}`,
    `  ${t.file}:${t.line} · provider cluster ${t.providerCluster ?? "(not known)"} · binding it whole: ${effectInWords(t.verdict)}`,
    "  exports",
  ];
  for (const kind of t.kinds) {
    const facts = [
      kind.versions.join(", "),
      ...(kind.scope ? [kind.scope] : []),
      ...(kind.shortNames.length ? [`short names ${kind.shortNames.join(", ")}`] : []),
    ];
    lines.push(`    ${kindTitle(kind)}  ${kindResourceName(kind)}  (${facts.join("; ")})`);
    if (kind.description) lines.push(`      ${kind.description.replace(/\s+/g, " ")}`);
    if (kind.printerColumns.length > 0)
      lines.push(`      kubectl get shows ${columnsInWords(kind)}`);
  }
  lines.push(t.claims.length === 0 ? "  claims: none" : "  claims");
  for (const claim of t.claims) {
    lines.push(
      `    ${claim.objects}  ${claim.grade}  ${verdictInWords(claim.policy)}`,
      `      ${claimSentence(claim)}`,
    );
    if (claim.reasons.length > 0)
      lines.push(`      why ${claim.grade}: ${claim.reasons.join("; ")}`);
    if (claim.policy.effect !== "allow" && claim.policy.reason) {
      lines.push(`      policy: ${claim.policy.reason.replace(/\s+/g, " ")}`);
    }
  }
  lines.push(t.bindings.length === 0 ? "  bound by: nobody yet" : "  bound by");
  for (const b of t.bindings) {
    const namespaces = b.namespaces.length > 0 ? b.namespaces.join(", ") : "every namespace";
    lines.push(
      `    ${b.folder || "-"}/${b.name}  cluster ${b.consumer} · ${namespaces} · ${statusInWords(b.status)}`,
    );
    for (const claim of b.claims) lines.push(`      accepts ${claim.id}: ${claim.words}`);
    if (b.claims.length === 0) lines.push("      accepts no claims");
  }
  lines.push("  bind it", `    ${t.bindCommand}`);
  return lines;
}
