import { BindopsError } from "../core/errors.js";
import { checkRunAnnotations, type CheckRunAnnotation } from "./check-run-annotations.js";
import { renderReviewMarkdown } from "./render-review-markdown.js";
import type { Review, Verdict } from "./review.js";

/** The name of the check run a review posts. */
export const checkRunName = "bindops / claims";

/** GitHub takes at most 65,536 characters in a comment and in a check run's summary. */
const maxBody = 65_000;

/** A pull request, as far as a review needs it. */
export interface PullRequestInfo {
  number: number;
  headSha: string;
  baseSha: string;
  htmlUrl: string;
}

/** A check run to create, with all its annotations (the adapter sends them in batches). */
export interface CheckRunRequest {
  name: string;
  headSha: string;
  conclusion: "success" | "failure" | "neutral";
  title: string;
  summary: string;
  annotations: CheckRunAnnotation[];
}

/**
 * What a review needs of GitHub, for one pull request; the octokit adapter
 * (`src/review/github/`) implements it. Errors are `BindopsError`s: `github-forbidden` when the
 * token may not write (a fork's read-only token), `github-not-found`, `github-rate-limited`,
 * `github-unreachable`.
 */
export interface GitHubReviewClient {
  pullRequest(): Promise<PullRequestInfo>;
  /**
   * Edits the comment whose body starts with `marker` (searching every page of the pull
   * request's comments), or creates it; leaves it alone when the body is the same.
   */
  upsertComment(
    marker: string,
    body: string,
  ): Promise<{ id: number; url: string; action: "created" | "updated" | "unchanged" }>;
  createCheckRun(run: CheckRunRequest): Promise<{ id: number; url: string }>;
}

/** What {@link publishReview} did. */
export interface PublishResult {
  pullRequest: PullRequestInfo;
  comment: { id: number; url: string; action: "created" | "updated" | "unchanged" };
  /** Absent when the token may not create check runs (only GitHub Apps may); `checkRunSkipped` says why. */
  checkRun?: { id: number; url: string };
  checkRunSkipped?: string;
}

/**
 * The hidden first line of the review's comment, which finds it again on the next run. It names
 * the reviewed folder, so that reviews of two bindops repositories in one git repository keep
 * a comment each.
 */
export function reviewMarker(folder: string): string {
  const name = folder.replace(/\/+$/, "") || ".";
  return `<!-- bindops-review: ${name.replace(/--/g, "- -")} -->`;
}

const conclusions: Record<Verdict, CheckRunRequest["conclusion"]> = {
  pass: "success",
  // A reviewer's approval is what is missing, not a fix: neutral does not block a merge by
  // itself, and branch protection's required reviews ask for the approval.
  "needs-approval": "neutral",
  fail: "failure",
};

/**
 * Posts a review on its pull request: one comment, edited in place on every run, and a check run
 * `bindops / claims` on the pull request's head commit, whose conclusion follows the verdict, with
 * an annotation at each change. A token that may comment but not create check runs (a personal
 * token) leaves the check run out; one that may not comment fails with `github-forbidden`.
 */
export async function publishReview(
  client: GitHubReviewClient,
  review: Review,
  options: {
    marker: string;
    link?: (file: string, line: number | undefined) => string | undefined;
  },
): Promise<PublishResult> {
  const pullRequest = await client.pullRequest();
  const body = renderReviewMarkdown(review, {
    marker: options.marker,
    ...(options.link ? { link: options.link } : {}),
    maxLength: maxBody,
  });
  const comment = await client.upsertComment(options.marker, body);
  const summary = renderReviewMarkdown(review, {
    ...(options.link ? { link: options.link } : {}),
    maxLength: maxBody,
  });
  try {
    const checkRun = await client.createCheckRun({
      name: checkRunName,
      headSha: pullRequest.headSha,
      conclusion: conclusions[review.verdict],
      title: checkRunTitle(review),
      summary,
      annotations: checkRunAnnotations(review),
    });
    return { pullRequest, comment, checkRun };
  } catch (error) {
    if (error instanceof BindopsError && error.code === "github-forbidden") {
      return { pullRequest, comment, checkRunSkipped: error.message };
    }
    throw error;
  }
}

/** The one line GitHub shows beside the check's name. */
export function checkRunTitle(review: Review): string {
  const { counts } = review;
  const parts: string[] = [];
  if (review.validation.head.errors > 0) {
    parts.push(
      `${review.validation.head.errors} validation error${review.validation.head.errors === 1 ? "" : "s"}`,
    );
  }
  if (counts.denied > 0) parts.push(`${counts.denied} denied`);
  if (counts.needApproval > 0)
    parts.push(`${counts.needApproval} need${counts.needApproval === 1 ? "s" : ""} approval`);
  if (counts.changes === 0) parts.push("no claim changes");
  else {
    const graded = (["high", "medium", "low"] as const).filter((g) => counts[g] > 0);
    parts.push(
      `${counts.changes} change${counts.changes === 1 ? "" : "s"}${graded.length ? ` (${graded.map((g) => `${counts[g]} ${g}`).join(", ")})` : ""}`,
    );
  }
  return parts.join(" · ");
}
