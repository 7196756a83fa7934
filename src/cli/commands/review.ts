import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { BindopsError, ExitCode } from "../../core/errors.js";
import type { Snapshot } from "../../core/snapshot.js";
import { readRevisionSnapshot } from "../../git/read-revision-snapshot.js";
import { resolveReviewRange } from "../../git/review-range.js";
import { assembleReview } from "../../review/assemble-review.js";
import { prefixReviewPaths } from "../../review/prefix-review-paths.js";
import { renderReview } from "../../review/render-review.js";
import type { Review } from "../../review/review.js";
import { validate } from "../../validate/validate.js";
import type { CommandContext } from "../io.js";
import { packageVersion } from "../package-version.js";
import type { OptionsOf } from "./command-specs.js";
import { defaultPolicyDir, kubernetesRelease, readExtraFolder } from "./validate.js";

/**
 * `bindops review [path]`: the permission-claim changes between two git revisions, graded and
 * judged by the claim policies. Exit 2 when a policy denies a change or the head does not
 * validate, 0 otherwise (also when changes need approval: the reviewer gives it).
 */
export async function reviewCommand(
  ctx: CommandContext,
  options: OptionsOf<"review">,
): Promise<ExitCode> {
  const root = path.resolve(ctx.cwd, options.path);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new BindopsError("usage", "path-not-found", `${root} is not a folder`);
  }
  const { signal } = ctx;
  const github = options.github
    ? (await import("../github-context.js")).githubContext(ctx, options)
    : undefined;
  const range = await resolveReviewRange(
    root,
    { base: options.base ?? github?.pullRequest?.baseSha, head: options.head },
    { signal },
  );
  ctx.logger.debug(
    { base: range.base, head: range.head, from: range.baseRevision },
    "reviewing the merge base of the base revision and the head",
  );
  const read = { exclude: options.exclude ?? [], signal };
  const baseSnapshot = await readRevisionSnapshot(root, range.base, read);
  const headSnapshot = await readRevisionSnapshot(root, range.head, read);
  const dirs = (list: string[] | undefined, flag: string): Snapshot[] =>
    (list ?? []).map((d) =>
      readExtraFolder(root, path.resolve(ctx.cwd, d), `${flag} ${d}`, signal),
    );
  const policies = dirs(options.policy, "--policy");
  const defaultPolicies = existsSync(defaultPolicyDir)
    ? readExtraFolder(root, defaultPolicyDir, "policies", signal)
    : undefined;
  const validateOptions = {
    crds: dirs(options.crdDir, "--crd-dir"),
    policies,
    ...(defaultPolicies ? { defaultPolicies } : {}),
    ignoreUnknownKinds: options.ignoreUnknownKinds,
    ...(options.kubernetesVersion === undefined
      ? {}
      : { kubernetesVersion: kubernetesRelease(options.kubernetesVersion) }),
    toolVersion: packageVersion(),
    signal,
  };
  const baseReport = await validate(baseSnapshot, validateOptions);
  const headReport = await validate(headSnapshot, validateOptions);
  const review: Review = prefixReviewPaths(
    assembleReview({
      base: { snapshot: baseSnapshot, report: baseReport },
      head: { snapshot: headSnapshot, report: headReport },
      policies,
      ...(defaultPolicies ? { defaultPolicies } : {}),
      signal,
    }),
    range.prefix,
  );
  ctx.logger.debug(
    { changes: review.counts.changes, verdict: review.verdict },
    "reviewed the claim changes",
  );

  ctx.stdout.write(renderReview(review, options.output, { color: ctx.color }));
  if (github !== undefined) {
    const { publishToGitHub } = await import("../publish-to-github.js");
    await publishToGitHub(ctx, github, review, { folder: range.prefix });
  }
  return review.verdict === "fail" ? ExitCode.invalid : ExitCode.ok;
}
