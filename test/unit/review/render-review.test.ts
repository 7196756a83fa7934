import assert from "node:assert/strict";
import { checkRunAnnotations } from "../../../src/review/check-run-annotations.js";
import { checkRunTitle, reviewMarker } from "../../../src/review/publish-review.js";
import { renderReview } from "../../../src/review/render-review.js";
import { escape, renderReviewMarkdown } from "../../../src/review/render-review-markdown.js";
import type { Review, ReviewChange } from "../../../src/review/review.js";
import { edit, exampleFiles, ordersBinding, replace, reviewOf } from "./fixtures.js";

const denied = async (): Promise<Review> =>
  reviewOf(
    exampleFiles,
    edit(
      exampleFiles,
      ordersBinding,
      replace(
        `          matchLabels:
            app: orders
            dbaas.example.com/credentials: "true"
`,
        "          {}\n",
      ),
    ),
  );

/** A review of `n` low changes, each in its own binding. */
function manyChanges(n: number): Review {
  const changes: ReviewChange[] = Array.from({ length: n }, (_, i) => ({
    subject: {
      kind: "ServiceBinding",
      name: `binding-${String(i).padStart(4, "0")}`,
      scope: "consumer",
    },
    kind: "claim-added",
    title: "ConfigMaps claim added",
    details: ["labelSelector: app=x", "direction ConsumerToProvider"],
    grade: "low",
    reasons: ["the consumer's ConfigMaps are copied to the provider"],
    location: { side: "head", file: `consumers/c/bindings/b${i}.yaml`, line: 10 + (i % 5) },
  }));
  return {
    base: { revision: "a".repeat(40) },
    head: { revision: "b".repeat(40) },
    verdict: "pass",
    counts: { changes: n, high: 0, medium: 0, low: n, info: 0, denied: 0, needApproval: 0 },
    changes,
    validation: {
      base: { errors: 0, warnings: 0 },
      head: { errors: 0, warnings: 0 },
      findings: [],
    },
  };
}

describe("review output", function () {
  this.timeout(30_000);

  it("puts the verdict, the changes needing attention and each change in Markdown", async () => {
    const review = await denied();
    const text = renderReviewMarkdown(review, {
      marker: reviewMarker("examples/"),
      link: (file, line) => `https://github.example/acme/platform/blob/x/${file}#L${line}`,
    });
    const lines = text.split("\n");
    assert.equal(lines[0], "<!-- bindops-review: examples -->");
    assert.equal(lines[1], "## bindops review: ❌ denied by policy");
    assert.match(text, /\*\*1 denied\*\* · 1 change \(1 high\)/);
    assert.match(text, /### Needs attention/);
    assert.match(text, /⛔ denied: `bindops-defaults` \/ `deny-match-all-secrets`/);
    assert.match(text, /### ServiceBinding `orders-db` · consumer `consumer`/);
    assert.match(
      text,
      /\[`consumers\/orders\/bindings\/orders-db.yaml:16`\]\(https:\/\/github.example\/acme\/platform\/blob\/x\/consumers\/orders\/bindings\/orders-db.yaml#L16\)/,
    );
    assert.match(
      text,
      /labelSelector: app=orders, dbaas.example.com\/credentials=true → \{\} \(every Secret in scope\)/,
    );
    // The policy-denied finding is the change's verdict, not a second entry.
    assert.doesNotMatch(text, /policy-denied/);
  });

  it("says so when nothing about claims changed", async () => {
    const review = await reviewOf(exampleFiles, exampleFiles);
    const text = renderReviewMarkdown(review);
    assert.match(text, /## bindops review: ✅ no objection/);
    assert.match(text, /No permission-claim changes/);
    assert.match(renderReview(review, "text"), /no permission-claim changes/);
  });

  it("quotes repository text without mentions, links or HTML", () => {
    assert.equal(
      escape("ping @platform-team <b>[x](y)</b> | `z`"),
      "ping @&#8203;platform-team \\<b\\>\\[x\\](y)\\</b\\> \\| \\`z\\`",
    );
  });

  it("stays within the length GitHub takes, saying how many changes it left out", () => {
    const text = renderReviewMarkdown(manyChanges(2000), { maxLength: 65_000 });
    assert.ok(text.length <= 65_000, String(text.length));
    assert.match(text, /_\d+ more changes not shown/);
  });

  it("renders text for a terminal and JSON with its schema", async () => {
    const review = await denied();
    const text = renderReview(review, "text");
    assert.match(text, /^bindops review: FAIL — 1 change \(1 high\); 1 denied\n/);
    assert.match(
      text,
      /ServiceBinding consumer\/orders-db\n {2}high {4}Secrets claim widened {2}consumers\/orders\/bindings\/orders-db.yaml:16\n/,
    );
    assert.match(text, /DENIED by bindops-defaults\/deny-match-all-secrets/);
    const json = JSON.parse(renderReview(review, "json")) as { schema: string; verdict: string };
    assert.equal(json.schema, "bindops.dev/review/v1");
    assert.equal(json.verdict, "fail");
  });

  it("annotates each change at its line: failure when denied", async () => {
    const review = await denied();
    const annotations = checkRunAnnotations(review);
    assert.deepEqual(
      annotations.map((a) => [a.path, a.start_line, a.annotation_level]),
      [
        [ordersBinding, 16, "failure"],
        [ordersBinding, 19, "failure"],
      ],
    );
    assert.match(annotations[0]!.title, /^high: ServiceBinding orders-db: Secrets claim widened$/);
    assert.match(
      annotations[0]!.message,
      /denied by policy bindops-defaults, rule deny-match-all-secrets/,
    );
    assert.equal(checkRunTitle(review), "2 validation errors · 1 denied · 1 change (1 high)");
  });
});
