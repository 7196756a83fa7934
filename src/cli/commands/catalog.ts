import { existsSync, statSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { assembleCatalog } from "../../catalog/assemble-catalog.js";
import type { Catalog } from "../../catalog/catalog.js";
import { renderCatalog } from "../../catalog/render-catalog.js";
import { BindopsError, ExitCode } from "../../core/errors.js";
import type { Snapshot } from "../../core/snapshot.js";
import { readFolderSnapshot } from "../../git/read-folder-snapshot.js";
import type { CommandContext } from "../io.js";
import type { OptionsOf } from "./command-specs.js";
import { defaultPolicyDir, readExtraFolder } from "./validate.js";

/** The options that say which repository, revision and policies a catalog is read from. */
export interface CatalogSource {
  rev?: string | undefined;
  policy?: string[] | undefined;
  exclude?: string[] | undefined;
}

/**
 * The catalog of the repository at `root`: its folder as it is, or a git revision; the policies of
 * the repository and `--policy` folders first, then bindops's shipped defaults (as `validate`).
 */
export async function readCatalog(
  ctx: CommandContext,
  root: string,
  options: CatalogSource,
): Promise<{ catalog: Catalog; snapshot: Snapshot; policies: Snapshot[]; defaults?: Snapshot }> {
  const { signal } = ctx;
  const read = { exclude: options.exclude ?? [], signal };
  let snapshot: Snapshot;
  if (options.rev !== undefined) {
    const { readRevisionSnapshot } = await import("../../git/read-revision-snapshot.js");
    snapshot = await readRevisionSnapshot(root, options.rev, read);
  } else {
    snapshot = readFolderSnapshot(root, read);
  }
  const policies = (options.policy ?? []).map((d) =>
    readExtraFolder(root, path.resolve(ctx.cwd, d), `--policy ${d}`, signal),
  );
  const defaults = existsSync(defaultPolicyDir)
    ? readExtraFolder(root, defaultPolicyDir, "policies", signal)
    : undefined;
  const catalog = assembleCatalog({
    snapshot,
    policies,
    ...(defaults ? { defaultPolicies: defaults } : {}),
    signal,
  });
  ctx.logger.debug(
    { revision: snapshot.revision, templates: catalog.templates.length },
    "read the catalog",
  );
  return { catalog, snapshot, policies, ...(defaults ? { defaults } : {}) };
}

/** `bindops catalog [path]`: what each template offers and asks for, and who binds it. */
export async function catalogCommand(
  ctx: CommandContext,
  options: OptionsOf<"catalog">,
): Promise<ExitCode> {
  const root = path.resolve(ctx.cwd, options.path);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new BindopsError("usage", "path-not-found", `${root} is not a folder`);
  }
  const { catalog } = await readCatalog(ctx, root, options);
  if (options.html === undefined) {
    ctx.stdout.write(renderCatalog(catalog, options.output));
    return ExitCode.ok;
  }
  const { renderCatalogSite } = await import("../../catalog/render-catalog-site.js");
  const out = path.resolve(ctx.cwd, options.html);
  const files = renderCatalogSite(catalog);
  for (const [file, text] of files) {
    const target = path.join(out, file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, text);
  }
  ctx.stdout.write(
    `wrote the catalog of ${catalog.templates.length} template${catalog.templates.length === 1 ? "" : "s"} (${files.size} files): ${path.join(out, "index.html")}\n`,
  );
  return ExitCode.ok;
}
