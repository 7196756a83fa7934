import type { Review } from "./review.js";

/**
 * The review with every file named from another folder: `prefix` (e.g. `examples/`, ending in a
 * slash, or `""`) is put before each path. A review names files relative to the reviewed folder;
 * pull requests, annotations and `git diff` name them from the repository's top level.
 */
export function prefixReviewPaths(review: Review, prefix: string): Review {
  if (prefix === "") return review;
  return {
    ...review,
    changes: review.changes.map((change) =>
      change.location
        ? { ...change, location: { ...change.location, file: prefix + change.location.file } }
        : change,
    ),
    validation: {
      ...review.validation,
      findings: review.validation.findings.map((f) => ({
        ...f,
        location: { ...f.location, file: prefix + f.location.file },
      })),
    },
  };
}
