import type { Finding } from "./finding.js";

/** Where a {@link Snapshot} was read from. */
export type SnapshotOrigin =
  | {
      /** A folder on disk, as it is now (committed or not). */
      kind: "folder";
      /** Absolute path of the folder the file paths are relative to. */
      path: string;
    }
  | {
      /** A commit of a git repository, read from git's object database without a checkout. */
      kind: "git";
      /** Absolute path of the folder, inside the repository's work tree, the paths are relative to. */
      path: string;
      /** The revision as given (`HEAD`, `origin/main`, a tag). */
      revision: string;
    };

/** A file that was found but not read, and why. */
export interface RefusedFile {
  rule: "unreadable-file" | "file-too-large";
  message: string;
}

/** A file of a snapshot: its bytes, or why they could not be read. */
export type SnapshotFile = Uint8Array | RefusedFile;

/**
 * The manifests of a repository at one revision: what every stage after reading works on, never
 * on a working tree. Produced by the readers in `src/git` (a folder, a git revision); consumed
 * without any I/O.
 */
export interface Snapshot {
  /** The commit id of a git revision; `"working-tree"` for a folder read as it is. */
  revision: string;
  origin: SnapshotOrigin;
  /**
   * Path (relative to `origin.path`, forward slashes) → bytes, for every manifest file
   * (`*.yaml`, `*.yml`, `*.json`) the reader kept, in code-unit order of the paths.
   */
  files: ReadonlyMap<string, SnapshotFile>;
  /** Links and folders the reader refused (`symlink-outside-root`, `symlink-broken`, ...). */
  findings: readonly Finding[];
}

/** The revision of a snapshot read from a folder as it is. */
export const workingTree = "working-tree";

/** Files larger than this are refused without being read. */
export const maxManifestFileBytes = 8 * 1024 * 1024;

/** The names of the files bindops reads as manifests. */
export const manifestFileName = /\.(ya?ml|json)$/;

/** Whether a snapshot file holds bytes rather than a refusal. */
export function isReadable(file: SnapshotFile): file is Uint8Array {
  return file instanceof Uint8Array;
}

/** The refusal of a file larger than {@link maxManifestFileBytes}. */
export function tooLarge(size: number, maxBytes = maxManifestFileBytes): RefusedFile {
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return {
    rule: "file-too-large",
    message: `the file is ${mib(size)}, over the ${mib(maxBytes)} limit for a manifest file`,
  };
}

/**
 * The same files under another name: each path prefixed with `prefix` (a folder, without a
 * trailing slash; `""` leaves them as they are). For folders outside a repository (`--crd-dir`,
 * `--policy`) whose files are reported relative to it.
 */
export function rebaseSnapshot(snapshot: Snapshot, prefix: string): Snapshot {
  if (prefix === "") return snapshot;
  const rename = (file: string) => `${prefix}/${file}`;
  return {
    ...snapshot,
    files: new Map([...snapshot.files].map(([file, content]) => [rename(file), content])),
    findings: snapshot.findings.map((f) => ({
      ...f,
      location: { ...f.location, file: rename(f.location.file) },
    })),
  };
}

/**
 * A revision for people: a commit id's first 12 hex digits; anything else (`HEAD`, a working
 * tree's `working-tree-<digest>`) as it is.
 */
export function shortRevision(revision: string): string {
  return /^[0-9a-f]{40,64}$/.test(revision) ? revision.slice(0, 12) : revision;
}
