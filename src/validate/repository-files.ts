import { bindopsGroup, crdGroup, kubeBindGroup } from "../core/kube-groups.js";
import { InternalError } from "../core/errors.js";
import type { Finding } from "../core/finding.js";
import type { ManifestDocument, TypeMeta } from "../core/manifest.js";
import { isReadable, type SnapshotFile } from "../core/snapshot.js";
import { documentFacts, type DocumentFacts } from "../core/document-facts.js";
import { encodedSource } from "../manifests/encoded-source.js";
import { defaultLoadLimits } from "../manifests/load-files.js";
import { loadSource, type LoadedSource, type LoadLimits } from "../manifests/load-source.js";
import { reloadDocument } from "../manifests/reload-document.js";
import { SourceMap } from "../manifests/source-map.js";
import { ValueInterner } from "../manifests/value-interner.js";
import { isCrdDocument } from "../schema/validate-documents.js";
import { checkDocument, type CheckDocumentContext } from "./check-document.js";
import { createPace, type Pace } from "./pace.js";

/** The repository's files, loaded and checked document by document, in file order. */
export interface CheckedFiles {
  documents: ManifestDocument[];
  /** Per document, in the same order. */
  facts: DocumentFacts[];
  credentials: (readonly Finding[])[];
  /**
   * Whether the document's text holds a plain scalar that kubectl (YAML 1.1) may read otherwise
   * (`yaml11Candidates`): only those are parsed again for the YAML 1.1 check.
   */
  yaml11: boolean[];
  /** The documents' schema findings, in document order. */
  schema: Finding[];
  /** Files that could not be read, documents that did not parse, in file order. */
  findings: Finding[];
  sources: SourceMap;
}

/**
 * Plain scalars that kubectl (YAML 1.1) reads differently from YAML 1.2: `yes`/`no`/`on`/`off`
 * and the like, `0755`, `1:20`. A document whose text holds none has no such scalar. (The
 * alternatives share their first part, which makes the search much faster.)
 */
const yaml11Candidates =
  /(?:^|[\s[{,:])(?:(?:y|Y|n|N|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)[ \t]*(?:$|[:,\]}#])|[-+]?0[0-9_]+[ \t]*(?:$|[,\]}#])|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?[ \t]*(?:$|[,\]}#]))/m;

/** The groups whose documents the checks across documents read beyond their type and name. */
const readAcross = new Set([bindopsGroup, kubeBindGroup, crdGroup]);

/**
 * Whether the checks across documents (cross-references, claims, policies, `--changed-since`)
 * read this document's content, rather than only its type and name: kube-bind's and bindops's
 * kinds, CRDs, and documents without a usable type (whose `apiVersion` and `kind` a finding
 * describes).
 */
function readAcrossDocuments(type: TypeMeta | undefined): boolean {
  return (
    type === undefined || type.apiVersion === "" || type.kind === "" || readAcross.has(type.group)
  );
}

/**
 * Could the file hold a CustomResourceDefinition? Its kind is spelled out in the text, unless a
 * quoted string spells it with escapes: both are looked for in the bytes, without parsing.
 */
function mayHoldCrd(bytes: Uint8Array): boolean {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buffer.includes("CustomResourceDefinition") || buffer.includes(0x5c);
}

/**
 * The repository's files on their way through `validate`, from a snapshot: first the files that may
 * hold CRDs are parsed ({@link crds}), so that the schema registry knows every CRD; then every
 * file is parsed and each document checked by itself right away ({@link check}). A document the
 * checks across documents only know by type and name (a ConfigMap, a custom resource) is not
 * kept: it is parsed again from its text should anything ask for its value. So the documents die
 * young, which keeps garbage collection cheap, and the peak memory low; for the same reason the
 * files' text is kept as bytes (`encodedSource`).
 */
export class RepositoryFiles {
  readonly #files: readonly string[];
  readonly #reads: (SnapshotFile | undefined)[];
  readonly #parsed = new Map<number, LoadedSource>();
  readonly #pace: Pace;
  readonly #limits: LoadLimits;
  readonly #interner = new ValueInterner();

  /**
   * `files`: a snapshot's path → bytes, in the order they are reported. `pace` gives the event
   * loop a turn between files now and then, and stops the run once its signal is aborted.
   */
  constructor(
    files: ReadonlyMap<string, SnapshotFile>,
    options: { pace?: Pace; maxDocumentsPerFile?: number } = {},
  ) {
    this.#files = [...files.keys()];
    this.#reads = [...files.values()];
    this.#pace = options.pace ?? createPace();
    this.#limits = {
      ...defaultLoadLimits,
      maxDocuments: options.maxDocumentsPerFile ?? defaultLoadLimits.maxDocuments,
    };
  }

  /** The CustomResourceDefinitions among the files' documents, in file order. */
  async crds(): Promise<ManifestDocument[]> {
    const crds: ManifestDocument[] = [];
    for (const [i, read] of this.#reads.entries()) {
      if (read === undefined || !isReadable(read) || !mayHoldCrd(read)) continue;
      if (this.#pace.due()) await this.#pace.turn();
      const loaded = this.#load(i, read);
      // Kept until `check`: as bytes, not as text, which large CRDs would make add up.
      const source = loaded.source && encodedSource(read, loaded.source.chunks);
      this.#parsed.set(i, { ...loaded, source });
      for (const document of loaded.documents) {
        if (!isCrdDocument(document)) continue;
        // CRDs are large and kept to the end; copies that differ a little share the rest.
        document.value = this.#interner.intern(document.value);
        crds.push(document);
      }
    }
    return crds;
  }

  /**
   * Parses every file and checks each document by itself (`checkDocument`) against `context`,
   * whose registry knows every CRD of the run. Call once, after {@link crds}.
   */
  async check(context: CheckDocumentContext): Promise<CheckedFiles> {
    const checked: CheckedFiles = {
      documents: [],
      facts: [],
      credentials: [],
      yaml11: [],
      schema: [],
      findings: [],
      sources: new SourceMap(),
    };
    const { sources } = checked;
    for (const [i, read] of this.#reads.entries()) {
      if (this.#pace.due()) await this.#pace.turn();
      const file = this.#files[i]!;
      this.#reads[i] = undefined;
      if (read === undefined) continue;
      if (!isReadable(read)) {
        const { rule, message } = read;
        checked.findings.push({ severity: "error", rule, message, location: { file } });
        continue;
      }
      const loaded = this.#parsed.get(i) ?? this.#load(i, read);
      this.#parsed.delete(i);
      for (const finding of loaded.findings) checked.findings.push(finding);
      const { source } = loaded;
      if (source !== undefined) sources.set(file, encodedSource(read, source.chunks));
      for (const document of loaded.documents) {
        const chunk = source?.chunks[document.index];
        checked.yaml11.push(
          chunk !== undefined && yaml11Candidates.test(source!.text.slice(chunk.start, chunk.end)),
        );
        const facts = documentFacts(document.value);
        const result = checkDocument(document, facts, context);
        for (const finding of result.schema) checked.schema.push(finding);
        checked.credentials.push(result.credentials);
        checked.facts.push(facts);
        checked.documents.push(
          readAcrossDocuments(facts.type) ? document : new ReparsedDocument(document, sources),
        );
      }
    }
    return checked;
  }

  #load(i: number, bytes: Uint8Array): LoadedSource {
    return loadSource(this.#files[i]!, bytes, this.#limits);
  }
}

/**
 * A document whose value was let go after its own checks: parsed again from its text on first
 * use (rarely: e.g. to compare two objects of the same name).
 */
class ReparsedDocument implements ManifestDocument {
  readonly file: string;
  readonly index: number;
  readonly line: number;
  readonly col: number;
  readonly #sources: SourceMap;
  #value: Record<string, unknown> | undefined;

  constructor(document: ManifestDocument, sources: SourceMap) {
    this.file = document.file;
    this.index = document.index;
    this.line = document.line;
    this.col = document.col;
    this.#sources = sources;
  }

  get value(): Record<string, unknown> {
    if (this.#value === undefined) {
      const source = this.#sources.get(this.file);
      const value = source && reloadDocument(this.file, source, this.index, defaultLoadLimits);
      if (value === undefined) {
        throw new InternalError(`${this.file}#${this.index} cannot be parsed again`);
      }
      this.#value = value;
    }
    return this.#value;
  }
}
