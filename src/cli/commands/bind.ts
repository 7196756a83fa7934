import { existsSync, statSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { bindingYaml } from "../../catalog/binding-draft.js";
import type { Catalog, CatalogClaim, CatalogTemplate } from "../../catalog/catalog.js";
import { effectInWords } from "../../catalog/describe-catalog.js";
import { BindopsError, ExitCode } from "../../core/errors.js";
import type { Snapshot } from "../../core/snapshot.js";
import { renderReport } from "../../report/render-report.js";
import { assembleReview } from "../../review/assemble-review.js";
import { renderReview } from "../../review/render-review.js";
import { validate } from "../../validate/validate.js";
import type { CommandContext } from "../io.js";
import { packageVersion } from "../package-version.js";
import { openPrompt, type Prompt } from "../prompt.js";
import { readCatalog } from "./catalog.js";
import type { OptionsOf } from "./command-specs.js";

/** A DNS label (RFC 1123): a consumer's folder, a cluster, a namespace. */
const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A DNS subdomain: a ServiceBinding's name, which is also its file's name. */
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** What `bind` settled on, from the options and, in a terminal, the answers. */
interface BindChoices {
  template: CatalogTemplate;
  consumer: string;
  name: string;
  claims: CatalogClaim[];
  namespaces: string[];
  cluster: string;
}

/**
 * `bindops bind TEMPLATE --consumer C`: writes `consumers/<C>/bindings/<name>.yaml`, a
 * ServiceBinding that accepts the chosen claims of the template, each written out; validates it
 * in the repository and prints the review of the change. Nothing is written when it would not
 * validate (exit 2), or when the file exists without `--force` (exit 3).
 */
export async function bindCommand(
  ctx: CommandContext,
  options: OptionsOf<"bind">,
): Promise<ExitCode> {
  const root = repositoryRoot(ctx, options.repo);
  const { catalog, snapshot, policies, defaults } = await readCatalog(ctx, root, options);
  const terminal =
    (ctx.stdin as { isTTY?: boolean } | undefined)?.isTTY === true && ctx.stdout.isTTY === true;
  const prompt = terminal && ctx.stdin ? openPrompt(ctx.stdin, ctx.stderr) : undefined;
  let choices: BindChoices;
  try {
    choices = await choose(catalog, options, prompt);
  } finally {
    prompt?.close();
  }
  const file = `${catalog.consumersFolder}${choices.consumer}/bindings/${choices.name}.yaml`;
  const target = path.join(root, ...file.split("/"));
  if (existsSync(target) && !options.force) {
    throw new BindopsError("usage", "binding-exists", `${file} exists already`, {
      hint: "choose another --name, or give --force to overwrite it",
    });
  }
  const { template } = choices;
  if (template.providerCluster === undefined) {
    throw new BindopsError(
      "invalid",
      "unknown-provider-cluster",
      `the provider cluster of ${template.id} is not known: bindops.yaml has no provider cluster named ${template.provider}, and not exactly one provider cluster`,
    );
  }
  const text = bindingYaml({
    name: choices.name,
    consumer: choices.cluster,
    provider: template.providerCluster,
    template: template.name,
    namespaces: choices.namespaces,
    claims: choices.claims.map((c) => c.written),
  });

  const head: Snapshot = {
    ...snapshot,
    revision: "bind",
    files: new Map([...snapshot.files, [file, Buffer.from(text)]]),
  };
  const validateOptions = {
    policies,
    ...(defaults ? { defaultPolicies: defaults } : {}),
    reportOnly: [file],
    toolVersion: packageVersion(),
    signal: ctx.signal,
  };
  const baseReport = await validate(snapshot, validateOptions);
  const headReport = await validate(head, validateOptions);
  const review = assembleReview({
    base: { snapshot, report: baseReport },
    head: { snapshot: head, report: headReport },
    policies,
    ...(defaults ? { defaultPolicies: defaults } : {}),
    signal: ctx.signal,
  });
  const errors = headReport.findings.filter((f) => f.severity === "error").length;
  if (errors === 0) {
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, text);
  }
  const out = [
    errors === 0
      ? `wrote ${path.relative(ctx.cwd, target) || target}: ${template.id} for ${choices.consumer}, accepting ${claimList(choices.claims)}`
      : `not written: ${file} would not validate (${errors} error${errors === 1 ? "" : "s"})`,
    "",
    `validate: ${renderReport(headReport, "text", { color: ctx.color }).trimEnd()}`,
    "",
    "What a reviewer sees:",
    renderReview(review, "text", { color: ctx.color }).trimEnd(),
  ];
  ctx.stdout.write(out.join("\n") + "\n");
  return errors === 0 ? ExitCode.ok : ExitCode.invalid;
}

function claimList(claims: readonly CatalogClaim[]): string {
  return claims.length === 0 ? "no claims" : claims.map((c) => c.objects).join(", ");
}

/** The folder holding bindops.yaml: `--repo`, or the current folder or the nearest above it. */
function repositoryRoot(ctx: CommandContext, repo: string | undefined): string {
  if (repo !== undefined) {
    const root = path.resolve(ctx.cwd, repo);
    if (!existsSync(root) || !statSync(root).isDirectory()) {
      throw new BindopsError("usage", "path-not-found", `--repo ${repo}: not a folder`);
    }
    return root;
  }
  for (let dir = ctx.cwd; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "bindops.yaml"))) return dir;
    if (path.dirname(dir) === dir) break;
  }
  throw new BindopsError(
    "usage",
    "no-repository",
    "no bindops.yaml here or in any folder above: not in a bindops repository",
    { hint: "run bind inside the repository, or name it with --repo" },
  );
}

/** The template, consumer, name, claims, namespaces and cluster, from options or answers. */
async function choose(
  catalog: Catalog,
  options: OptionsOf<"bind">,
  prompt: Prompt | undefined,
): Promise<BindChoices> {
  const listing = catalog.templates.map((t) => t.id).join(", ") || "none";
  let wanted = options.template;
  if (wanted === "" && prompt) {
    wanted = await prompt.text(`template to bind (${listing})`, catalog.templates[0]?.id);
  }
  if (wanted === "") {
    throw new BindopsError("usage", "no-template", "name the template to bind", {
      hint: `templates of this repository: ${listing}`,
    });
  }
  const template = findTemplate(catalog, wanted);
  let consumer = options.consumer;
  if (consumer === undefined && prompt) {
    consumer = await prompt.text("consumer (your folder under consumers/)");
  }
  if (consumer === undefined || consumer === "") {
    throw new BindopsError("usage", "no-consumer", "name the consumer with --consumer", {
      hint: "the consumer's folder under consumers/: a team, or the consumer cluster's name",
    });
  }
  checkName(consumer, dnsLabel, "--consumer", "a DNS label (lower-case letters, digits, -)");
  const name =
    options.name ?? (prompt ? await prompt.text("binding name", template.name) : template.name);
  checkName(name, dnsSubdomain, "--name", "a DNS name (lower-case letters, digits, - and .)");
  if (name.length > 253) checkName(name, /^$/, "--name", "at most 253 characters");
  const claims = await chooseClaims(template, options.claims, prompt);
  const namespaces =
    options.namespace ??
    (prompt
      ? splitList(
          await prompt.text(
            "namespaces to confine it to (comma-separated; blank: every namespace)",
          ),
        )
      : []);
  const spread = namespaces.flatMap((n) => splitList(n));
  for (const ns of spread) checkName(ns, dnsLabel, "--namespace", "a DNS label");
  const cluster = consumerCluster(template, consumer, options.cluster, catalog);
  return { template, consumer, name, claims, namespaces: spread, cluster };
}

function splitList(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function checkName(value: string, pattern: RegExp, flag: string, what: string): void {
  if (!pattern.test(value)) {
    throw new BindopsError("usage", "bad-name", `${flag} ${JSON.stringify(value)}: not ${what}`);
  }
}

/** By `<provider>/<name>`, or by name when one provider has a template of that name. */
function findTemplate(catalog: Catalog, wanted: string): CatalogTemplate {
  const byId = catalog.templates.find((t) => t.id === wanted);
  if (byId) return byId;
  const byName = catalog.templates.filter((t) => t.name === wanted);
  if (byName.length === 1) return byName[0]!;
  const listing = catalog.templates.map((t) => t.id).join(", ") || "none";
  if (byName.length > 1) {
    throw new BindopsError(
      "usage",
      "ambiguous-template",
      `several providers have a template ${wanted}`,
      {
        hint: `name it with its provider: ${byName.map((t) => t.id).join(", ")}`,
      },
    );
  }
  throw new BindopsError("usage", "unknown-template", `no template ${wanted} in this repository`, {
    hint: `templates: ${listing} (bindops catalog lists them)`,
  });
}

async function chooseClaims(
  template: CatalogTemplate,
  given: string[] | undefined,
  prompt: Prompt | undefined,
): Promise<CatalogClaim[]> {
  if (given === undefined) {
    if (!prompt) return template.claims;
    const chosen: CatalogClaim[] = [];
    for (const claim of template.claims) {
      const line = `accept the ${claim.objects} claim (grade ${claim.grade}; ${effectInWords(claim.policy.effect)}): the provider ${claim.words}?`;
      if (await prompt.yes(line, true)) chosen.push(claim);
    }
    return chosen;
  }
  const names = given.flatMap(splitList);
  if (names.length === 1 && names[0]!.toLowerCase() === "none") return [];
  const chosen = new Set<CatalogClaim>();
  for (const wanted of names) {
    const key = wanted.toLowerCase();
    const found = template.claims.find(
      (c) => c.id === key || c.objects.toLowerCase() === key || c.resource === key,
    );
    if (found === undefined) {
      throw new BindopsError(
        "usage",
        "unknown-claim",
        `${template.id} asks for no claim ${JSON.stringify(wanted)}`,
        {
          hint: `its claims: ${template.claims.map((c) => c.id).join(", ") || "none"}; --claims none accepts none`,
        },
      );
    }
    chosen.add(found);
  }
  // In the template's order, as a reviewer reads them there.
  return template.claims.filter((c) => chosen.has(c));
}

/** `--cluster`, else the consumer's folder when it is named after a consumer cluster, else the only one. */
function consumerCluster(
  template: CatalogTemplate,
  consumer: string,
  given: string | undefined,
  catalog: Catalog,
): string {
  if (given !== undefined) {
    checkName(given, dnsLabel, "--cluster", "a DNS label");
    return given;
  }
  const clusters = catalog.consumerClusters;
  if (clusters.includes(consumer)) return consumer;
  if (clusters.length === 1) return clusters[0]!;
  throw new BindopsError(
    "usage",
    "no-consumer-cluster",
    `which consumer cluster binds ${template.id} for ${consumer}? bindops.yaml has ${clusters.length === 0 ? "none" : clusters.join(", ")}`,
    { hint: "name it with --cluster" },
  );
}
