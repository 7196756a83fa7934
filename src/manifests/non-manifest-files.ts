import { load } from "js-yaml";
import { isReadable, type SnapshotFile } from "../core/snapshot.js";

/** A kind of YAML file that is not a Kubernetes manifest, as found in GitOps repositories. */
export type NonManifestKind =
  | "kustomization"
  | "kustomize-patch"
  | "kustomize-config"
  | "helm-chart"
  | "helm-values"
  | "helm-template";

/** What each kind is, and what to do to validate what it produces; for the user's info line. */
export const nonManifestKinds: Record<NonManifestKind, string> = {
  kustomization:
    "kustomization files (validate what they make: `kustomize build DIR | bindops validate -`)",
  "kustomize-patch":
    "kustomize patches (partial objects; validate what `kustomize build DIR` writes)",
  "kustomize-config":
    "kustomize configuration files (configurations, replacements, transformers, generators, openapi)",
  "helm-chart":
    "Helm chart files (Chart.yaml, requirements.yaml, values.schema.json, files a chart reads)",
  "helm-values": "Helm values files",
  "helm-template":
    "Helm templates (they need rendering: `helm template CHART | bindops validate -`)",
};

const kustomizationName = /(?:^|\/)kustomization\.ya?ml$/i;
const chartName = /(?:^|\/)Chart\.ya?ml$/;
const valuesName = /(?:^|\/)values[^/]*\.ya?ml$/i;
/** Go template actions: `{{ .Values.x }}`, `{{- include ... }}`, `{{ if ... }}`, comments. */
const templateAction = /\{\{-?\s*(?:[.$/]|[a-z]+\b)/;

/**
 * Outside a chart (a `templates/` folder with no Chart.yaml above it in the files read), only
 * actions that use Helm's objects or functions make a Helm template: a PrometheusRule's
 * `{{ $labels.instance }}` is the rule's own text, and the manifest is validated.
 */
const helmAction =
  /\{\{-?\s*(?:(?:include|template|define|tpl|toYaml|required)\b|[^}]*\.(?:Values|Release|Chart|Capabilities|Files|Template)\b)/;

const folderOf = (file: string): string => file.slice(0, file.lastIndexOf("/") + 1);

/**
 * The files of a snapshot that are not manifests, by kind: kustomizations, the patch files they
 * list (`patches[].path`, `patchesStrategicMerge`, `patchesJson6902[].path`), Helm charts'
 * Chart.yaml, `values*.yaml` files, and Helm templates (a chart's `templates/` with template actions).
 * A bindops `templates/` folder of APIServiceExportTemplates holds no template actions and is
 * left alone. Pure: reads the bytes it is given.
 */
export function nonManifestFiles(
  files: ReadonlyMap<string, SnapshotFile>,
): Map<string, NonManifestKind> {
  const found = new Map<string, NonManifestKind>();
  const charts = [...files.keys()].filter((f) => chartName.test(f)).map(folderOf);
  const inChart = (file: string) => charts.some((chart) => file.startsWith(chart));
  /** The path inside the innermost chart holding the file (a subchart has its own Chart.yaml). */
  const inChartPath = (file: string): string | undefined => {
    let longest: string | undefined;
    for (const chart of charts) {
      if (file.startsWith(chart) && (longest === undefined || chart.length > longest.length)) {
        longest = chart;
      }
    }
    return longest === undefined ? undefined : file.slice(longest.length);
  };
  for (const [file, bytes] of files) {
    if (kustomizationName.test(file)) {
      found.set(file, "kustomization");
      if (isReadable(bytes)) {
        const listed = filesListedBy(bytes);
        for (const [kind, paths] of [
          ["kustomize-patch", listed.patches],
          ["kustomize-config", listed.configs],
        ] as const) {
          for (const listedPath of paths) {
            const path = normalise(folderOf(file) + listedPath);
            if (path !== undefined && files.has(path)) found.set(path, kind);
          }
        }
      }
    } else if ((chartName.test(file) || valuesName.test(file)) && isManifest(bytes)) {
      // A ConfigMap in values.yaml is validated: skipping it would hide its errors.
      continue;
    } else if (chartName.test(file)) {
      found.set(file, "helm-chart");
    } else if (valuesName.test(file)) {
      // Beside a chart, or beside a HelmRelease or an Argo CD application that uses it.
      found.set(file, "helm-values");
    } else if (
      isReadable(bytes) &&
      (inChart(file)
        ? templateAction
        : /(?:^|\/)templates\//.test(file)
          ? helmAction
          : undefined
      )?.test(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"))
    ) {
      found.set(file, "helm-template");
    } else if (isChartFile(inChartPath(file)) && !isManifest(bytes)) {
      // A chart's own files beside its templates: values.schema.json, requirements.yaml, the
      // values files of chart-testing's ci/ folder, files the templates read.
      found.set(file, /^ci\//.test(inChartPath(file)!) ? "helm-values" : "helm-chart");
    }
  }
  return found;
}

/**
 * Whether a file named like Helm's (`Chart.yaml`, `values*.yaml`) is a Kubernetes manifest all
 * the same: `apiVersion`, `kind` and `metadata` at the top level. Chart.yaml has no `kind`, and
 * a values file may have a `kind` (a chart's choice of workload) but not all three.
 */
function isManifest(bytes: SnapshotFile): boolean {
  if (!isReadable(bytes)) return false;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  return topLevel.apiVersion.test(text) && topLevel.kind.test(text) && topLevel.metadata.test(text);
}

const topLevel = {
  apiVersion: /^(?:apiVersion|"apiVersion"):[ \t]*\S/m,
  kind: /^(?:kind|"kind"):[ \t]*\S/m,
  metadata: /^(?:metadata|"metadata"):/m,
};

/** A file of a chart outside its `templates/` and `crds/` (which hold manifests), by its path in the chart. */
function isChartFile(inChart: string | undefined): boolean {
  return inChart !== undefined && !/^(?:templates|crds)\//.test(inChart);
}

/**
 * The files a kustomization lists, relative to its folder: its patches, and the files that
 * configure kustomize itself (`configurations`, `replacements`, `transformers`, `generators`,
 * `validators`, `crds`, `openapi`), which are not manifests.
 */
function filesListedBy(bytes: Uint8Array): { patches: string[]; configs: string[] } {
  let value: unknown;
  try {
    value = load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
  } catch {
    return { patches: [], configs: [] }; // a broken kustomization is kustomize's to report
  }
  if (typeof value !== "object" || value === null) return { patches: [], configs: [] };
  const record = value as Record<string, unknown>;
  const pathsOf = (keys: readonly string[]): string[] => {
    const paths: string[] = [];
    const add = (entry: unknown) => {
      if (typeof entry === "string") paths.push(entry);
      else if (typeof entry === "object" && entry !== null) {
        const path = (entry as Record<string, unknown>).path;
        if (typeof path === "string") paths.push(path);
      }
    };
    for (const key of keys) {
      const listed = record[key];
      if (Array.isArray(listed)) listed.forEach(add);
      else add(listed);
    }
    return paths;
  };
  return {
    patches: pathsOf(["patches", "patchesStrategicMerge", "patchesJson6902"]),
    configs: pathsOf([
      "configurations",
      "replacements",
      "transformers",
      "generators",
      "validators",
      "crds",
      "openapi",
    ]),
  };
}

/** `a/./b/../c.yaml` as `a/c.yaml`; undefined when it leaves the root. */
function normalise(path: string): string | undefined {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.pop() === undefined) return undefined;
    } else parts.push(part);
  }
  return parts.join("/");
}
