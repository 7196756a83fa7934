import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { Snapshot } from "../../../src/core/snapshot.js";
import { assembleReview } from "../../../src/review/assemble-review.js";
import type { Review } from "../../../src/review/review.js";
import { validate } from "../../../src/validate/validate.js";
import { repoRoot } from "../../support/repo-root.js";

/** Path → text of a repository's manifests. */
export type Files = Record<string, string>;

function readTree(dir: string, prefix = ""): Files {
  const files: Files = {};
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) Object.assign(files, readTree(full, `${prefix}${name}/`));
    else if (/\.(ya?ml|json)$/.test(name)) files[`${prefix}${name}`] = readFileSync(full, "utf8");
  }
  return files;
}

/** The manifests of examples/: a provider with a template, two bindings and a policy. */
export const exampleFiles: Files = readTree(path.join(repoRoot, "examples"));

export const ordersBinding = "consumers/orders/bindings/orders-db.yaml";
export const billingBinding = "consumers/billing/bindings/billing-db.yaml";
export const template = "providers/dbaas/templates/databases.yaml";

/** A copy of `files` with `file` rewritten by `change` (which must change something). */
export function edit(files: Files, file: string, change: (text: string) => string): Files {
  const before = files[file];
  if (before === undefined) throw new Error(`no ${file}`);
  const after = change(before);
  if (after === before) throw new Error(`the edit of ${file} changed nothing`);
  return { ...files, [file]: after };
}

/** Text with `from` replaced by `to`, failing when `from` is not there. */
export function replace(from: string, to: string): (text: string) => string {
  return (text) => {
    if (!text.includes(from)) throw new Error(`no ${JSON.stringify(from)} in the text`);
    return text.replace(from, to);
  };
}

export function snapshotOf(files: Files, revision: string, root = "/repo"): Snapshot {
  const encoder = new TextEncoder();
  return {
    revision,
    origin: { kind: "git", path: root, revision },
    files: new Map(
      Object.keys(files)
        .sort()
        .map((file) => [file, encoder.encode(files[file])]),
    ),
    findings: [],
  };
}

const defaultPolicies = snapshotOf(
  {
    "bindops-default-policies/defaults.yaml": readFileSync(
      path.join(repoRoot, "policies/defaults.yaml"),
      "utf8",
    ),
  },
  "defaults",
);

/** Validates both revisions and reviews them, as `bindops review` does. */
export async function reviewOf(
  base: Files,
  head: Files,
  extra: { policies?: Files } = {},
): Promise<Review> {
  const policies = extra.policies ? [snapshotOf(extra.policies, "policies")] : [];
  const options = { defaultPolicies, policies, toolVersion: "test" };
  const [b, h] = [snapshotOf(base, "a".repeat(40)), snapshotOf(head, "b".repeat(40))];
  return assembleReview({
    base: { snapshot: b, report: await validate(b, options) },
    head: { snapshot: h, report: await validate(h, options) },
    policies,
    defaultPolicies,
  });
}
