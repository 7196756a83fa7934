// The floor: read every YAML file under a folder and parse it with js-yaml's loadAll, nothing else.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";

let documents = 0;
for (const entry of readdirSync(process.argv[2], { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !/\.ya?ml$/.test(entry.name)) continue;
  const text = readFileSync(join(entry.parentPath, entry.name), "utf8");
  yaml.loadAll(text, () => (documents += 1));
}
console.log(documents);
