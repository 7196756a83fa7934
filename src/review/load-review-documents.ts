import { compareStrings } from "../core/finding.js";
import { bindopsGroup, crdGroup, kubeBindGroup } from "../core/kube-groups.js";
import { typeMetaOf, type ManifestDocument } from "../core/manifest.js";
import { isReadable, type Snapshot, type SnapshotFile } from "../core/snapshot.js";
import { loadFiles } from "../manifests/load-files.js";
import { SourceMap } from "../manifests/source-map.js";

/** The documents of one revision that a review reads, and where they are in its files. */
export interface ReviewDocuments {
  /** In file order, then document order. */
  documents: ManifestDocument[];
  sources: SourceMap;
}

/**
 * The kinds a review reads (bindings, templates, policies, bindops.yaml) are spelled out in a
 * file's bytes, unless a quoted string spells them with escapes: files with neither are not parsed.
 */
const kindsRead = [
  "ServiceBinding",
  "APIServiceExportTemplate",
  "ClaimPolicy",
  "Repository",
  "CustomResourceDefinition",
];

function mayHoldKindsRead(file: SnapshotFile): boolean {
  if (!isReadable(file)) return false;
  const bytes = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  return bytes.includes(0x5c) || kindsRead.some((kind) => bytes.includes(kind));
}

/** The same test on one document's text: the others of the file are not parsed. */
function mayBeRead(text: string): boolean {
  return text.includes("\\") || kindsRead.some((kind) => text.includes(kind));
}

/**
 * The documents a review reads: bindops's kinds, templates, and CRDs (which tell the repository
 * index which provider folders exist, as `validate`'s does).
 */
function isRead(document: ManifestDocument): boolean {
  const type = typeMetaOf(document.value);
  if (type === undefined) return false;
  if (type.group === bindopsGroup) return true;
  if (type.group === kubeBindGroup) return type.kind === "APIServiceExportTemplate";
  return type.group === crdGroup && type.kind === "CustomResourceDefinition";
}

function sameBytes(a: SnapshotFile | undefined, b: SnapshotFile): boolean {
  if (a === undefined || !isReadable(a) || !isReadable(b)) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

/**
 * Parses the files of two revisions that may hold what a review compares. A file with the same
 * bytes in both is parsed once and its documents shared, so a review costs little more than one
 * load of the files a pull request did not touch. Files that do not parse yield no documents here:
 * `validate` reports them.
 */
export function loadReviewDocuments(
  base: Snapshot,
  head: Snapshot,
  options: { signal?: AbortSignal } = {},
): { base: ReviewDocuments; head: ReviewDocuments } {
  const common = new Map<string, SnapshotFile>();
  const headOnly = new Map<string, SnapshotFile>();
  for (const [file, content] of head.files) {
    if (!mayHoldKindsRead(content)) continue;
    (sameBytes(base.files.get(file), content) ? common : headOnly).set(file, content);
  }
  const baseOnly = new Map<string, SnapshotFile>();
  for (const [file, content] of base.files) {
    if (!common.has(file) && mayHoldKindsRead(content)) baseOnly.set(file, content);
  }
  const load = (files: ReadonlyMap<string, SnapshotFile>) => {
    const loaded = loadFiles(files, {
      wanted: mayBeRead,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { documents: loaded.documents.filter(isRead), sources: loaded.sources };
  };
  const shared = load(common);
  const side = (own: ReadonlyMap<string, SnapshotFile>): ReviewDocuments => {
    const loaded = load(own);
    const documents = [...shared.documents, ...loaded.documents].sort(
      (a, b) => compareStrings(a.file, b.file) || a.index - b.index,
    );
    return {
      documents,
      sources: new SourceMap([...shared.sources.entries(), ...loaded.sources.entries()]),
    };
  };
  return { base: side(baseOnly), head: side(headOnly) };
}
