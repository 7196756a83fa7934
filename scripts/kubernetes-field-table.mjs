// The fields of every type of Kubernetes's built-in kinds, read from kubernetes-models's
// declaration files (generated from the same OpenAPI document as its validators, which do not
// close objects). `node scripts/kubernetes-field-table.mjs` writes the table that validate reads,
// src/schema/kubernetes-fields.json; run it after upgrading kubernetes-models (a unit test fails
// until then). The build copies the table next to the compiled schema code.
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const modelsRoot = path.dirname(require.resolve("kubernetes-models/package.json"));
export const tableFile = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "../src/schema/kubernetes-fields.json",
);

/**
 * The table: `kinds` maps `apiVersion kind` to a type's index; `types[i]` maps each field of type
 * i to its shape: a `[` per list and a `{` per map with free keys, then the index of the type of
 * object it holds, or nothing for a scalar or a free-form value (an empty interface, a union such
 * as IntOrString). `names[i]` names type i. `version` is kubernetes-models's.
 */
export function kubernetesFieldTable() {
  const names = [];
  const types = [];
  const indexes = new Map();
  const texts = new Map();
  const text = (file) => {
    if (!texts.has(file)) {
      let content;
      try {
        content = readFileSync(file, "utf8");
      } catch {
        content = undefined;
      }
      texts.set(file, content);
    }
    return texts.get(file);
  };

  /** The index of a type, by the file declaring it and its exported name; -1 for no fields. */
  const typeIndex = (file, exported) => {
    const source = text(file);
    const declared =
      source === undefined
        ? exported
        : (new RegExp(`export \\{ (\\w+) as ${exported}[,\\s]`).exec(source)?.[1] ?? exported);
    const key = `${file}#${declared}`;
    const known = indexes.get(key);
    if (known !== undefined) return known;
    const start = source?.indexOf(`export interface ${declared} `) ?? -1;
    if (start < 0) {
      indexes.set(key, -1);
      return -1;
    }
    const declarations = fieldDeclarations(source, start);
    if (declarations.length === 0) {
      // Free-form (RawExtension, JSON): any value.
      indexes.set(key, -1);
      return -1;
    }
    // Reserved before the fields are resolved: a type may refer to itself (JSONSchemaProps).
    const index = types.length;
    indexes.set(key, index);
    names.push(longName(source, declared));
    types.push({});
    const imports = importsOf(source, file);
    const ref = (name) => {
      const imported = imports.get(name);
      if (imported !== undefined) return typeIndex(imported, name);
      return source.includes(`export interface ${name} `) ? typeIndex(file, name) : -1;
    };
    const shape = (type) => {
      const array = /^Array<(.*)>$/.exec(type);
      if (array !== null) return `[${shape(array[1])}`;
      const map = /^\{ \[key: string\]: (.*); \}$/.exec(type);
      if (map !== null) return `{${shape(map[1])}`;
      if (/^I[A-Za-z0-9]+$/.test(type)) {
        const found = ref(type);
        return found < 0 ? "" : String(found);
      }
      return "";
    };
    const fields = {};
    for (const [field, type] of declarations) fields[field] = shape(type);
    types[index] = fields;
    return index;
  };

  const kinds = {};
  for (const file of modelFiles(modelsRoot)) {
    const source = text(file);
    const apiVersion = /^ {4}"apiVersion": "([^"]+)";$/m.exec(source)?.[1];
    const kind = /^ {4}"kind": "([^"]+)";$/m.exec(source)?.[1];
    if (apiVersion === undefined || kind === undefined) continue;
    if (path.basename(file) !== `${kind}.d.ts`) continue;
    const index = typeIndex(file, `I${kind}`);
    if (index >= 0) kinds[`${apiVersion} ${kind}`] = index;
  }
  const version = JSON.parse(readFileSync(path.join(modelsRoot, "package.json"), "utf8")).version;
  return { version, kinds: sortKeys(kinds), names, types };
}

/**
 * The fields an interface declares, with their types as written (a map's type on one line:
 * `{ [key: string]: T; }`).
 */
function fieldDeclarations(source, start) {
  const end = source.indexOf("\n}", start);
  const lines = source.slice(start, end).split("\n");
  const declarations = [];
  for (let i = 1; i < lines.length; i++) {
    const match = /^ {4}"([^"]+)"\??: (.*)$/.exec(lines[i]);
    if (match === null) continue;
    const [, field, type] = match;
    if (type === "{") {
      const value = /^\s+\[key: string\]: (.*);$/.exec(lines[i + 1] ?? "")?.[1] ?? "";
      declarations.push([field, `{ [key: string]: ${value}; }`]);
    } else {
      declarations.push([field, type.replace(/;$/, "")]);
    }
  }
  return declarations;
}

/** The declaration files of the kinds: `<group>/<version>/<Kind>.d.ts` and `v1/<Kind>.d.ts`. */
function modelFiles(root) {
  const files = [];
  const walk = (dir, depth) => {
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith("_") || name === "node_modules") continue;
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) {
        if (depth < 2) walk(full, depth + 1);
      } else if (/^[A-Z][A-Za-z0-9]*\.d\.ts$/.test(name)) {
        files.push(full);
      }
    }
  };
  walk(root, 0);
  return files;
}

/** The files a declaration file imports its types from, by type name. */
function importsOf(source, file) {
  const imports = new Map();
  const from = createRequire(file);
  for (const match of source.matchAll(/^import \{ ([^}]+) \} from "([^"]+)";$/gm)) {
    const specifier = match[2];
    if (specifier === "@kubernetes-models/base") continue;
    let target;
    try {
      target = specifier.startsWith(".")
        ? `${path.resolve(path.dirname(file), specifier)}.d.ts`
        : from.resolve(specifier).replace(/\.(c?js|mjs)$/, ".d.ts");
    } catch {
      continue;
    }
    for (const name of match[1].split(",").map((n) => n.trim())) imports.set(name, target);
  }
  return imports;
}

/** The name a type is exported under (`IIoK8sApiCoreV1PodSpec`), without its leading `II`. */
function longName(source, declared) {
  const exported = new RegExp(`export \\{ ${declared} as I(\\w+)`).exec(source)?.[1];
  return exported ?? declared.slice(1);
}

function sortKeys(object) {
  return Object.fromEntries(
    Object.entries(object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const table = kubernetesFieldTable();
  writeFileSync(tableFile, `${JSON.stringify(table)}\n`);
  console.log(
    `wrote ${path.relative(process.cwd(), tableFile)}: ${Object.keys(table.kinds).length} kinds, ${table.types.length} types`,
  );
}
