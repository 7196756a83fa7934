import { appendFileSync } from "node:fs";
import { BindopsError } from "../core/errors.js";
import { createGitHubClient } from "../review/github/github-client.js";
import { publishReview, reviewMarker } from "../review/publish-review.js";
import { renderReviewMarkdown } from "../review/render-review-markdown.js";
import type { Review } from "../review/review.js";
import type { GitHubContext } from "./github-context.js";
import type { CommandContext } from "./io.js";
import { packageVersion } from "./package-version.js";

/**
 * Posts a review on its pull request (`review --github`) and, in GitHub Actions, on the job's
 * summary page. A token that may not write to the pull request (a fork's read-only token) is not
 * an error: the review was printed already, and the exit code still follows the verdict.
 */
export async function publishToGitHub(
  ctx: CommandContext,
  github: GitHubContext,
  review: Review,
  options: { folder: string },
): Promise<void> {
  const { owner, repo, pullNumber, serverUrl } = github;
  const link = (file: string, line: number | undefined) =>
    `${serverUrl.replace(/\/+$/, "")}/${owner}/${repo}/blob/${review.head.revision}/${file
      .split("/")
      .map(encodeURIComponent)
      .join("/")}${line ? `#L${line}` : ""}`;
  writeStepSummary(ctx, renderReviewMarkdown(review, { link }));
  const client = await createGitHubClient({
    apiUrl: github.apiUrl,
    owner,
    repo,
    pullNumber,
    auth: github.auth,
    userAgent: `bindops/${packageVersion()}`,
    log: {
      debug: (message) => ctx.logger.debug(message),
      warn: (message) => ctx.logger.warn(message),
    },
    signal: ctx.signal,
  });
  try {
    const result = await publishReview(client, review, {
      marker: reviewMarker(options.folder),
      link,
    });
    ctx.logger.info(`review comment ${result.comment.action}: ${result.comment.url}`);
    if (result.checkRun) ctx.logger.info(`check run: ${result.checkRun.url}`);
    else ctx.logger.warn(`no check run: ${result.checkRunSkipped ?? "refused"}`);
    if (result.pullRequest.headSha !== review.head.revision) {
      ctx.logger.warn(
        `reviewed ${review.head.revision.slice(0, 12)}, but the pull request's head is ${result.pullRequest.headSha.slice(0, 12)}: annotations may point at other lines (check out the pull request's head, as the example workflow does)`,
      );
    }
  } catch (error) {
    if (!(error instanceof BindopsError && error.code === "github-forbidden")) throw error;
    ctx.logger.warn(
      `${error.message}; the review above is all there is (a pull request from a fork gets a read-only token)`,
    );
  }
}

/** GitHub Actions shows what a step appends to `GITHUB_STEP_SUMMARY` on the run's page. */
function writeStepSummary(ctx: CommandContext, markdown: string): void {
  const file = ctx.env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  try {
    appendFileSync(file, markdown + "\n");
  } catch (error) {
    ctx.logger.warn(
      `cannot write the job summary ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
