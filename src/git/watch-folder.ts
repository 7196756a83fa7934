import { watch } from "chokidar";
import { relative, resolve, sep } from "node:path";
import { statusFolder } from "./commit-status.js";

/** Options of {@link watchFolder}. */
export interface WatchFolderOptions {
  /** Quiet time after the last change before `onChange` is called. Default 200 ms. */
  debounceMs?: number;
  /** Stops the watcher when aborted. */
  signal?: AbortSignal;
  /** Told of a failure of the watcher once it runs (a folder removed, a limit of the system). */
  onError?: (error: unknown) => void;
}

/** A running {@link watchFolder}. */
export interface FolderWatcher {
  /** Stops watching; no `onChange` after it resolves. */
  close(): Promise<void>;
}

/** Folders whose changes never call for a reconcile: git's own, and what bindops writes. */
function isIgnored(root: string, path: string): boolean {
  const rel = relative(root, path).split(sep);
  return rel.includes(".git") || rel.includes("node_modules") || rel[0] === statusFolder;
}

/**
 * Watches a working folder and calls `onChange` once per burst of changes (the paths changed,
 * relative to the folder, sorted), after `debounceMs` without a further one. Changes under
 * `.git/`, `node_modules/` and `status/` are ignored. Resolves once the folder is being watched,
 * so a save after that is seen.
 */
export async function watchFolder(
  path: string,
  options: WatchFolderOptions,
  onChange: (changed: string[]) => void,
): Promise<FolderWatcher> {
  const root = resolve(path);
  const debounceMs = options.debounceMs ?? 200;
  const watcher = watch(root, {
    ignoreInitial: true,
    ignored: (file: string) => isIgnored(root, file),
  });
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const flush = () => {
    timer = undefined;
    if (closed || pending.size === 0) return;
    const changed = [...pending].sort();
    pending = new Set();
    onChange(changed);
  };
  watcher.on("all", (_event: string, file: string) => {
    if (closed) return;
    pending.add(relative(root, file).split(sep).join("/"));
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
  });
  const close = async () => {
    if (closed) return;
    closed = true;
    if (timer !== undefined) clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    await watcher.close();
  };
  const onAbort = () => void close();
  await new Promise<void>((done, fail) => {
    watcher.once("ready", done);
    watcher.once("error", fail);
  });
  watcher.on("error", (error: unknown) => options.onError?.(error));
  if (options.signal?.aborted) await close();
  else options.signal?.addEventListener("abort", onAbort, { once: true });
  return { close };
}
