import { isSafeRefName } from "./cached-repository.js";
import { statusFolder } from "./commit-status.js";
import { sourceInternals, type Source } from "./open-source.js";

/**
 * Whether going from revision `from` to `to` changes nothing but files under `status/` (or
 * nothing at all), so a reconcile of `to` would do what the one of `from` did: the run loop skips
 * the commits bindops makes itself. Compares the two trees, so a change made and undone in
 * between counts as none. When the cache cannot tell (a revision it does not have), the answer
 * is `false`: reconciling once too often is harmless, skipping a change is not.
 */
export async function onlyStatusChanged(
  source: Source,
  from: string,
  to: string,
  options: { signal?: AbortSignal } = {},
): Promise<boolean> {
  if (from === to) return true;
  if (!isSafeRefName(from) || !isSafeRefName(to)) return false;
  const { repository } = sourceInternals(source);
  let names: string;
  try {
    const args = ["diff", "--name-only", "--no-renames", "-z", from, to, "--"];
    names = (await repository.git(args, options)).toString("utf8");
  } catch {
    options.signal?.throwIfAborted();
    return false;
  }
  return names
    .split("\0")
    .filter((name) => name !== "")
    .every((name) => name.startsWith(`${statusFolder}/`));
}
