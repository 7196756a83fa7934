import assert from "node:assert/strict";
import { assembleCatalog } from "../../../src/catalog/assemble-catalog.js";
import type { Catalog } from "../../../src/catalog/catalog.js";
import { renderCatalogSite } from "../../../src/catalog/render-catalog-site.js";
import { exampleFiles, snapshotOf } from "../review/fixtures.js";

const examples = assembleCatalog({ snapshot: snapshotOf(exampleFiles, "d".repeat(40)) });

describe("catalog site (model → files)", () => {
  it("writes an index, a page per template and its own assets, with no external asset", () => {
    const files = renderCatalogSite(examples);
    assert.deepEqual([...files.keys()].sort(), [
      "assets/catalog.css",
      "assets/catalog.js",
      "index.html",
      "templates/dbaas/databases.html",
    ]);
    for (const [file, text] of files) {
      assert.doesNotMatch(text, /(src|href)="(https?:)?\/\//, `${file} loads nothing remote`);
    }
    const page = files.get("templates/dbaas/databases.html")!;
    assert.match(page, /<main id="main"/);
    assert.match(page, /href="\.\.\/\.\.\/assets\/catalog\.css"/);
  });

  it("escapes what the repository wrote, and keeps page names inside the site", () => {
    const [template] = examples.templates;
    const hostile: Catalog = {
      ...examples,
      templates: [
        {
          ...template!,
          id: "../x/<b>",
          provider: "../x",
          name: "<script>alert(1)</script>",
          description: '"><img src=x onerror=alert(1)>',
        },
      ],
    };
    const files = renderCatalogSite(hostile);
    const pages = [...files.keys()].filter((f) => f.startsWith("templates/"));
    assert.equal(pages.length, 1);
    assert.doesNotMatch(pages[0]!, /\.\.\//);
    for (const text of files.values()) {
      assert.doesNotMatch(text, /<script>alert|<img src=x/);
    }
  });

  it("makes one page per template for a catalog of 500", () => {
    const [template] = examples.templates;
    const many: Catalog = {
      ...examples,
      templates: Array.from({ length: 500 }, (_, i) => ({
        ...template!,
        id: `dbaas/t${i}`,
        name: `t${i}`,
      })),
    };
    const files = renderCatalogSite(many);
    assert.equal(files.size, 503);
    assert.equal(files.get("index.html")!.match(/<li data-provider=/g)?.length, 500);
  });
});
