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

/** Text for a Markdown table cell or a line: no pipes, no line breaks, no HTML. */
function md(text: string): string {
  return text
    .replace(/\s+/g, " ")
    .replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`)
    .trim();
}

/** Code spans that hold any text (a backtick inside gets a longer fence). */
function code(text: string): string {
  const fence = text.includes("`") ? "``" : "`";
  return `${fence}${fence.length > 1 ? " " : ""}${text.replace(/\s+/g, " ")}${fence.length > 1 ? " " : ""}${fence}`;
}

/** The catalog as Markdown: a page for a wiki or a pull request, a section per template. */
export function renderCatalogMarkdown(catalog: Catalog): string {
  const out = [
    "# Service catalog",
    "",
    `${catalog.templates.length} template${catalog.templates.length === 1 ? "" : "s"} at ${code(catalog.revision.slice(0, 12))}.`,
  ];
  if (catalog.templates.length > 0) {
    out.push(
      "",
      "| template | exports | claims | binding it whole | bound by |",
      "| --- | --- | --- | --- | --- |",
    );
    for (const t of catalog.templates) {
      out.push(
        `| ${code(t.id)} | ${md(t.kinds.map(kindTitle).join(", "))} | ${md(t.claims.map((c) => c.objects).join(", ") || "none")} | ${effectInWords(t.verdict)} | ${t.bindings.length} |`,
      );
    }
  }
  for (const t of catalog.templates) out.push("", ...templateSection(t));
  return out.join("\n") + "\n";
}

function templateSection(t: CatalogTemplate): string[] {
  const out = [`## ${md(t.id)}`, ""];
  if (t.description) out.push(md(t.description), "");
  out.push(
    `Defined in ${code(`${t.file}:${t.line}`)}; provider cluster ${t.providerCluster ? code(t.providerCluster) : "not known"}.`,
    "",
    "### Exports",
    "",
    "| kind | resource | versions | scope | short names | kubectl get shows |",
    "| --- | --- | --- | --- | --- | --- |",
  );
  for (const k of t.kinds) {
    out.push(
      `| ${md(kindTitle(k))} | ${code(kindResourceName(k))} | ${md(k.versions.join(", "))} | ${md(k.scope ?? "")} | ${md(k.shortNames.join(", "))} | ${md(columnsInWords(k))} |`,
    );
  }
  for (const k of t.kinds.filter((k) => k.description)) {
    out.push("", `**${md(kindTitle(k))}**: ${md(k.description ?? "")}`);
  }
  out.push("", "### Permission claims", "");
  if (t.claims.length === 0) out.push("None: binding it grants the provider nothing of yours.");
  for (const c of t.claims) {
    out.push(
      `- **${md(c.objects)}** — grade **${c.grade}**, ${md(verdictInWords(c.policy))}: ${md(claimSentence(c))}`,
    );
    if (c.reasons.length > 0) out.push(`  - why ${c.grade}: ${md(c.reasons.join("; "))}`);
    if (c.policy.effect !== "allow" && c.policy.reason)
      out.push(`  - policy: ${md(c.policy.reason)}`);
  }
  out.push("", "### Bound by", "");
  if (t.bindings.length === 0) out.push("Nobody yet.");
  else {
    out.push(
      "| team | binding | cluster | namespaces | status |",
      "| --- | --- | --- | --- | --- |",
    );
    for (const b of t.bindings) {
      out.push(
        `| ${md(b.folder)} | ${code(b.file)} | ${md(b.consumer)} | ${md(b.namespaces.join(", ") || "every namespace")} | ${md(statusInWords(b.status))} |`,
      );
    }
  }
  out.push(
    "",
    "### Bind it",
    "",
    "```sh",
    t.bindCommand,
    "```",
    "",
    "```yaml",
    t.snippet.trimEnd(),
    "```",
  );
  return out;
}
