import { catalogJsonSchema, type Catalog, type CatalogFormat } from "./catalog.js";
import { renderCatalogMarkdown } from "./render-catalog-markdown.js";
import { renderCatalogText } from "./render-catalog-text.js";

/**
 * The catalog in one of the `catalog -o` formats: `text` for a terminal, `markdown` for a wiki or
 * a pull request, `json` for programs (the {@link Catalog} with a `schema` field).
 */
export function renderCatalog(catalog: Catalog, format: CatalogFormat): string {
  switch (format) {
    case "text":
      return renderCatalogText(catalog);
    case "markdown":
      return renderCatalogMarkdown(catalog);
    case "json":
      return JSON.stringify({ schema: catalogJsonSchema, ...catalog }, null, 2) + "\n";
  }
}
