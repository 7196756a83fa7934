import assert from "node:assert/strict";
import { xmlEscape } from "../../../src/report/xml-escape.js";

describe("xmlEscape", () => {
  it("escapes markup in text and leaves quotes and line breaks readable", () => {
    assert.equal(
      xmlEscape(`<a href="x">'&'</a>\n\ttab`),
      `&lt;a href="x"&gt;'&amp;'&lt;/a&gt;\n\ttab`,
    );
  });

  it("escapes quotes, tabs and line breaks in attributes, which parsers would normalise", () => {
    assert.equal(
      xmlEscape(`"it's"\n\r\t<&>`, "attribute"),
      "&quot;it&apos;s&quot;&#10;&#13;&#9;&lt;&amp;&gt;",
    );
  });

  it("keeps carriage returns in text as references, since parsers turn them into LF", () => {
    assert.equal(xmlEscape("a\r\nb"), "a&#13;\nb");
  });

  it("makes characters XML 1.0 forbids visible instead of writing them", () => {
    assert.equal(
      xmlEscape("\u0000\u0008\u000b\u000c\u001f\ufffe\uffff"),
      "\\u0000\\u0008\\u000b\\u000c\\u001f\\ufffe\\uffff",
    );
    assert.equal(xmlEscape("lone \ud800 surrogate"), "lone \\ud800 surrogate");
  });

  it("keeps characters outside the basic plane and other legal text", () => {
    assert.equal(xmlEscape("ok 🚀 é \u0085 \ud7ff"), "ok 🚀 é \u0085 \ud7ff");
  });
});
