// A second baseline: the `yaml` package's parseAllDocuments (a full Document per YAML document).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

let documents = 0;
for (const entry of readdirSync(process.argv[2], { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !/\.ya?ml$/.test(entry.name)) continue;
  const text = readFileSync(join(entry.parentPath, entry.name), "utf8");
  for (const doc of parseAllDocuments(text)) if (doc.contents !== null) documents += 1;
}
console.log(documents);
