import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { git } from "./git.js";
import { repoRoot } from "./repo-root.js";

/**
 * examples/ under `sub/` of a new git repository (so that the bindops repository is not the top
 * level), committed on `main`, with the branch `pr` checked out. Returns the top folder.
 */
export function exampleRepository(): string {
  const top = mkdtempSync(path.join(tmpdir(), "bindops-review-"));
  cpSync(path.join(repoRoot, "examples"), path.join(top, "sub"), { recursive: true });
  git(top, "init", "-q", "-b", "main");
  git(top, "add", "-A");
  git(top, "commit", "-q", "-m", "base");
  git(top, "checkout", "-q", "-b", "pr");
  return top;
}

/** Replaces `from` with `to` in a file of the repository and commits it; returns the commit. */
export function commitChange(
  top: string,
  file: string,
  from: string,
  to: string,
  message = "change",
): string {
  const full = path.join(top, file);
  const text = readFileSync(full, "utf8");
  assert.ok(text.includes(from), `${from} in ${file}`);
  writeFileSync(full, text.replace(from, to));
  git(top, "commit", "-q", "-am", message);
  return git(top, "rev-parse", "HEAD").trim();
}

/** The Secrets claim of examples' orders binding selects by these labels. */
export const ordersLabels = `          matchLabels:
            app: orders
            dbaas.example.com/credentials: "true"
`;

export const ordersBindingFile = "sub/consumers/orders/bindings/orders-db.yaml";
