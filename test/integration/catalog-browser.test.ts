import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { repoRoot } from "../support/repo-root.js";
import { runCli } from "../support/run-cli.js";

/** Debian's chromium package; `.ci/run` installs it. */
const chromiumPath = "/usr/bin/chromium";
/** Screenshots kept for a person to look at (gitignored). */
const artifacts = path.join(repoRoot, "test-artifacts");

/** A second template beside examples' databases: backups only, no claims. */
const backupsTemplate = `apiVersion: kube-bind.io/v1alpha2
kind: APIServiceExportTemplate
metadata:
  name: backups
spec:
  description: On-demand backups of PostgreSQL clusters you run elsewhere.
  scope: Namespaced
  resources:
    - group: dbaas.example.com
      resource: postgresbackups
      versions: [v1alpha1]
`;

describe("the catalog site in a real headless Chromium", function () {
  this.timeout(180_000);
  let browser: Browser | undefined;
  let site = "";
  const made: string[] = [];
  const errors: string[] = [];

  before(async function () {
    if (!existsSync(chromiumPath)) {
      console.log(
        `      skipped: ${chromiumPath} is absent (Debian's chromium package; .ci/run installs it)`,
      );
      this.skip();
    }
    const repo = mkdtempSync(path.join(tmpdir(), "bindops-site-repo-"));
    made.push(repo);
    cpSync(path.join(repoRoot, "examples"), repo, { recursive: true });
    writeFileSync(path.join(repo, "providers/dbaas/templates/backups.yaml"), backupsTemplate);
    site = mkdtempSync(path.join(tmpdir(), "bindops-site-"));
    made.push(site);
    const result = await runCli(["catalog", repo, "--html", site]);
    assert.equal(result.code, 0, result.stderr);
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    mkdirSync(artifacts, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    made.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  });

  /** A page that records console errors, uncaught exceptions and failed loads. */
  const open = async (file: string, viewport = { width: 1280, height: 900 }): Promise<Page> => {
    const page = await browser!.newPage({ viewport });
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`console: ${m.text()}`);
    });
    page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
    page.on("requestfailed", (r) => errors.push(`failed to load ${r.url()}`));
    page.on("request", (r) => {
      if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) {
        errors.push(`loaded from the network: ${r.url()}`);
      }
    });
    await page.goto(pathToFileURL(path.join(site, file)).href);
    return page;
  };

  const visibleTemplates = (page: Page) =>
    page.locator("#templates > li:not([hidden]) h2 a").allTextContents();

  it("lists the templates of examples/, and the search and filters narrow the list", async () => {
    const page = await open("index.html");
    assert.deepEqual(await visibleTemplates(page), ["backups", "databases"]);
    assert.equal(await page.locator("#count").textContent(), "2 templates");

    await page.getByLabel("Search").fill("postgrescluster");
    assert.deepEqual(await visibleTemplates(page), ["databases"]);
    assert.equal(await page.locator("#count").textContent(), "1 of 2 templates");
    await page.getByLabel("Search").fill("no such thing");
    assert.deepEqual(await visibleTemplates(page), []);
    await page.getByLabel("Search").fill("");

    await page.getByLabel("Claims on Secrets").check();
    assert.deepEqual(await visibleTemplates(page), ["databases"]);
    await page.getByLabel("Claims on Secrets").uncheck();
    await page.getByLabel("Kind").selectOption("PostgresBackup");
    assert.deepEqual(await visibleTemplates(page), ["backups", "databases"]);
    await page.getByLabel("Kind").selectOption("PostgresCluster");
    assert.deepEqual(await visibleTemplates(page), ["databases"]);

    // Keyboard: / comes back to the search from anywhere.
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("/");
    assert.equal(await page.evaluate<string | undefined>("document.activeElement?.id"), "q");
    await page.getByLabel("Kind").selectOption("");
    await page.screenshot({ path: path.join(artifacts, "catalog-index.png"), fullPage: true });
    await page.close();
  });

  it("shows a template's claims in words, its bindings and the binding to copy", async () => {
    const index = await open("index.html");
    await index.getByRole("link", { name: "databases" }).click();
    await index.waitForURL(/templates\/dbaas\/databases\.html$/);
    const page = index;
    assert.equal(await page.locator("h1").textContent(), "databases");
    const claims = await page.locator("#claims > li").allTextContents();
    assert.equal(claims.length, 2);
    assert.match(
      claims[0]!,
      /The provider reads and writes Secrets labelled dbaas\.example\.com\/credentials=true in the namespaces you bind/,
    );
    assert.match(claims[0]!, /grade high/);
    assert.match(claims[1]!, /needs approval under acme\/dbaas-init-scripts/);
    const snippet = await page.locator("#snippet").textContent();
    assert.match(snippet ?? "", /kind: ServiceBinding\n/);
    assert.match(snippet ?? "", /template: databases\n/);
    assert.equal(
      await page.locator("#command").textContent(),
      "bindops bind databases --consumer <team>",
    );
    const bindings = await page.locator("#bindings tbody tr").allTextContents();
    assert.equal(bindings.length, 2);
    assert.match(bindings[1]!, /orders.*no status yet/);
    assert.ok(await page.getByRole("main").isVisible());
    assert.ok(await page.getByRole("navigation", { name: "Breadcrumb" }).isVisible());
    await page.getByRole("button", { name: "Copy the ServiceBinding" }).click();
    await page.locator("#copy-status").filter({ hasText: /\S/ }).waitFor();
    await page.screenshot({ path: path.join(artifacts, "catalog-template.png"), fullPage: true });
    await page.close();
  });

  it("fits a phone's screen", async () => {
    for (const file of ["index.html", "templates/dbaas/databases.html"]) {
      const page = await open(file, { width: 375, height: 800 });
      // In the page: how much wider than the screen the document is (none when it fits).
      const overflow = await page.evaluate<number>(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth",
      );
      assert.ok(overflow <= 0, `${file} is ${overflow}px wider than a phone`);
      await page.close();
    }
  });

  it("logs no console errors and loads nothing from the network", () => {
    assert.deepEqual(errors, []);
  });
});
