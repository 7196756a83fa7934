import { renderReviewMarkdown, type MarkdownOptions } from "./render-review-markdown.js";
import { renderReviewText } from "./render-review-text.js";
import type { Review, ReviewFormat } from "./review.js";

/** Identifies the JSON output's shape; it changes only when the shape does. */
export const reviewJsonSchema = "bindops.dev/review/v1";

/**
 * The review in one of the `review -o` formats: `text` for a terminal, `markdown` for a pull
 * request, `json` for programs (the {@link Review} with a `schema` field, keys in a fixed order).
 */
export function renderReview(
  review: Review,
  format: ReviewFormat,
  options: MarkdownOptions & { color?: boolean } = {},
): string {
  switch (format) {
    case "text":
      return renderReviewText(review, options.color === undefined ? {} : { color: options.color });
    case "markdown":
      return renderReviewMarkdown(review, options);
    case "json":
      return JSON.stringify({ schema: reviewJsonSchema, ...review }, null, 2) + "\n";
  }
}
