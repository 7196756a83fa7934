import assert from "node:assert/strict";
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { discoverFiles } from "../../../src/git/discover-files.js";
import { tempRepo } from "./temp-repo.js";

const m = "kind: A\n";
const defaults = [".*/", "node_modules/"];

/** Folders and files that the default excludes do and do not match, at several depths. */
const tree = {
  "bindops.yaml": m,
  ".hidden.yaml": m,
  ".github/workflows/ci.yaml": m,
  ".bindops/dev/state.json": "{}",
  "providers/.cache/x.yaml": m,
  "providers/p/.old/y.yml": m,
  "providers/p/crds/a.yaml": m,
  "providers/p/crds/.a.yaml": m,
  "consumers/node_modules/z.yaml": m,
  "consumers/node_modules.yaml": m,
  "consumers/c/node_modulesx/w.yaml": m,
  "consumers/c/bindings/b.json": "{}",
  "a.b/c.yaml": m,
};

describe("discoverFiles with validate's default excludes", () => {
  let repo: ReturnType<typeof tempRepo>;
  afterEach(() => repo.remove());

  it("skips what the gitignore engine skips for the same patterns", () => {
    repo = tempRepo(tree);
    symlinkSync(join(repo.root, "providers/p"), join(repo.root, "providers/.p-link"));
    symlinkSync(join(repo.root, "providers/p"), join(repo.root, "providers/p-link"));
    const paths = [
      [],
      ["providers"],
      ["providers/p/.old/y.yml", "consumers/node_modules.yaml", "providers/p/crds/.a.yaml"],
      [".github"],
    ];
    for (const given of paths) {
      const builtIn = discoverFiles(repo.root, given, { exclude: defaults });
      // The same patterns plus one that means nothing: the gitignore engine decides then.
      const engine = discoverFiles(repo.root, given, { exclude: [...defaults, "#"] });
      assert.deepEqual(builtIn, engine, `paths ${JSON.stringify(given)}`);
    }
    assert.deepEqual(
      discoverFiles(repo.root, [], { exclude: defaults }).files,
      [
        "a.b/c.yaml",
        "bindops.yaml",
        "consumers/c/bindings/b.json",
        "consumers/c/node_modulesx/w.yaml",
        "consumers/node_modules.yaml",
        ".hidden.yaml",
        "providers/p-link/crds/.a.yaml",
        "providers/p-link/crds/a.yaml",
        "providers/p/crds/.a.yaml",
        "providers/p/crds/a.yaml",
      ].sort(),
    );
  });
});
