import assert from "node:assert/strict";
import { renderGithub } from "../../../src/report/render-github.js";
import { approval, denied, fileLevel, report } from "./fixtures.js";

describe("renderGithub", () => {
  it("writes one workflow command per finding, then the summary", () => {
    assert.equal(
      renderGithub(report([denied, fileLevel, approval])),
      [
        "::error file=broken.yaml,line=1,col=1,title=yaml-syntax::not UTF-8",
        "::warning file=consumers/c/bindings/orders.yaml,line=3,col=3,title=policy-requires-approval::claim on configmaps needs approval",
        "::error file=consumers/c/bindings/orders.yaml,line=12,col=5,title=policy-denied::claim on secrets (selector: MatchAll) is denied",
        "2 errors, 1 warning in 3 files (5 documents)",
        "",
      ].join("\n"),
    );
  });

  it("escapes %, CR and LF in messages so a message cannot end the command (CRLF is one break)", () => {
    const [line] = renderGithub(
      report([{ ...denied, message: "100% wrong\r\n::error::injected, a: b" }]),
    ).split("\n");
    assert.equal(
      line,
      "::error file=consumers/c/bindings/orders.yaml,line=12,col=5,title=policy-denied::100%25 wrong%0A::error::injected, a: b",
    );
  });

  it("also escapes : and , in properties, and writes a file name's line break as \\n", () => {
    const [line] = renderGithub(
      report([
        {
          ...denied,
          rule: "odd:rule,x",
          location: { file: "dir,1/a:b%\n.yaml", line: 2, col: 7 },
        },
      ]),
    ).split("\n");
    assert.equal(
      line,
      "::error file=dir%2C1/a%3Ab%25\\n.yaml,line=2,col=7,title=odd%3Arule%2Cx::claim on secrets (selector: MatchAll) is denied",
    );
  });

  it("prints only the summary for an empty result", () => {
    assert.equal(renderGithub(report([])), "✓ no problems in 3 files (5 documents)\n");
  });
});
