import { joinPointer, type Finding } from "../core/finding.js";
import type { ManifestDocument, TypeMeta } from "../core/manifest.js";
import { asArray, asRecord, asString, field } from "../core/lenient.js";
import { documentFinding } from "./document-finding.js";
import type { CheckRuleId } from "./check-rules.js";

/** Where the pod template of a workload kind is, and which restart policies its pods may have. */
interface PodPlace {
  /** Keys from the document to the pod's `spec`. */
  spec: readonly string[];
  /** Keys from the document to the workload's label selector, if it has one to match. */
  selector?: readonly string[];
  /** Keys to the labels the selector must match. */
  labels?: readonly string[];
  restartPolicies: readonly string[];
  /** The restart policy when none is given. */
  defaultRestartPolicy: string;
}

const always = ["Always"];
const template = (prefix: readonly string[], restartPolicies = always): PodPlace => ({
  spec: [...prefix, "template", "spec"],
  selector: [...prefix, "selector"],
  labels: [...prefix, "template", "metadata", "labels"],
  restartPolicies,
  defaultRestartPolicy: "Always",
});

/** The built-in kinds that hold a pod, by `group kind`. */
const podPlaces: ReadonlyMap<string, PodPlace> = new Map([
  [
    " Pod",
    {
      spec: ["spec"],
      restartPolicies: ["Always", "OnFailure", "Never"],
      defaultRestartPolicy: "Always",
    },
  ],
  [" PodTemplate", { ...template([]), selector: [] }],
  [" ReplicationController", template(["spec"])],
  ["apps Deployment", template(["spec"])],
  ["apps ReplicaSet", template(["spec"])],
  ["apps StatefulSet", template(["spec"])],
  ["apps DaemonSet", template(["spec"])],
  ["batch Job", { ...template(["spec"], ["OnFailure", "Never"]), selector: [] }],
  [
    "batch CronJob",
    { ...template(["spec", "jobTemplate", "spec"], ["OnFailure", "Never"]), selector: [] },
  ],
]);

/** IANA service names, which named ports must be (Kubernetes' `IsValidPortName`). */
function portNameProblem(name: string): string | undefined {
  if (name.length > 15) return "longer than 15 characters";
  if (!/^[-a-z0-9]+$/.test(name)) return "not only lower-case letters, digits and '-'";
  if (!/[a-z]/.test(name)) return "without a letter";
  if (name.startsWith("-") || name.endsWith("-")) return "starting or ending with '-'";
  if (name.includes("--")) return "with '--'";
  return undefined;
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const quantity =
  /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;
const suffixes: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A Kubernetes quantity (`100m`, `1.5Gi`, `1e3`, 2) as a number; `undefined` when it is none. */
export function quantityValue(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string") return undefined;
  const match = quantity.exec(value);
  if (match === null) return undefined;
  const number = Number(match[1]);
  if (match[2] !== undefined) return number * 10 ** Number(match[2].slice(1));
  return number * (match[3] === undefined ? 1 : suffixes[match[3]]!);
}

/**
 * Checks the API server makes on the pods of built-in kinds (Pod, and the pod templates of
 * Deployments, ReplicaSets, StatefulSets, DaemonSets, ReplicationControllers, Jobs, CronJobs and
 * PodTemplates) and on Services, which no published schema can express; each is an error the API
 * server would answer a `kubectl apply` with:
 * - `duplicate-container-name`: two containers (init containers and ephemeral ones included) of
 *   one pod share a name;
 * - `invalid-port`: a container port's name is not an IANA service name (at most 15 lower-case
 *   letters, digits and '-', with a letter, no '-' at either end nor twice in a row; `"8080"` is
 *   none), two ports of a container share a name, a port number is out of range; a probe's or a
 *   Service's `targetPort` names no such port format; a Service with several ports leaves one
 *   unnamed, gives one a name that is not a DNS label, or repeats a name or a port and protocol;
 * - `selector-mismatch`: a workload's `spec.selector` does not select its template's labels;
 * - `volume-mismatch`: two volumes of a pod share a name, or a container mounts a volume the pod
 *   does not have;
 * - `restart-policy`: a pod template's `restartPolicy` the controller refuses (only `Always` for
 *   Deployments, StatefulSets, DaemonSets and ReplicaSets; `OnFailure` or `Never` for Jobs and
 *   CronJobs, whose default `Always` is refused, so it must be given);
 * - `invalid-resources`: a resource quantity that is not one (`512MB`), or a request greater
 *   than its limit.
 */
export function checkWorkloads(document: ManifestDocument, type: TypeMeta | undefined): Finding[] {
  if (type === undefined) return [];
  const findings: Finding[] = [];
  const report = (rule: CheckRuleId, path: readonly (string | number)[], message: string) =>
    findings.push(documentFinding(rule, document, pointerOf(path), message));
  const groupKind = `${type.group} ${type.kind}`;
  if (groupKind === " Service") checkService(document.value, report);
  const place = podPlaces.get(groupKind);
  if (place === undefined) return findings;
  const spec = asRecord(field(document.value, ...place.spec));
  if (spec !== undefined) checkPod(spec, place, report);
  if (place.selector !== undefined && place.selector.length > 0 && place.labels !== undefined) {
    checkSelector(document.value, place.selector, place.labels, report);
  }
  return findings;
}

type Report = (rule: CheckRuleId, path: readonly (string | number)[], message: string) => void;

function checkPod(spec: Record<string, unknown>, place: PodPlace, report: Report): void {
  const at = (...rest: (string | number)[]) => [...place.spec, ...rest];
  const restartPolicy = spec.restartPolicy;
  if (restartPolicy === undefined) {
    if (!place.restartPolicies.includes(place.defaultRestartPolicy)) {
      report(
        "restart-policy",
        place.spec,
        `restartPolicy is required here: the default, ${place.defaultRestartPolicy}, is refused; use ${place.restartPolicies.join(" or ")}`,
      );
    }
  } else if (typeof restartPolicy === "string" && !place.restartPolicies.includes(restartPolicy)) {
    report(
      "restart-policy",
      at("restartPolicy"),
      `restartPolicy ${restartPolicy} is refused here; use ${place.restartPolicies.join(" or ")}`,
    );
  }

  const volumes = new Set<string>();
  asArray(spec.volumes).forEach((volume, i) => {
    const name = asString(field(volume, "name"));
    if (name === undefined) return;
    if (volumes.has(name)) {
      report("volume-mismatch", at("volumes", i, "name"), `volume "${name}" is declared twice`);
    }
    volumes.add(name);
  });

  const containers = new Set<string>();
  for (const list of ["initContainers", "containers", "ephemeralContainers"]) {
    asArray(spec[list]).forEach((container, i) => {
      const name = asString(field(container, "name"));
      if (name !== undefined) {
        if (containers.has(name)) {
          report(
            "duplicate-container-name",
            at(list, i, "name"),
            `container name "${name}" is used twice in one pod`,
          );
        }
        containers.add(name);
      }
      checkContainer(container, at(list, i), volumes, report);
    });
  }
}

function checkContainer(
  container: unknown,
  at: readonly (string | number)[],
  volumes: ReadonlySet<string>,
  report: Report,
): void {
  const ports = new Set<string>();
  asArray(field(container, "ports")).forEach((port, i) => {
    const name = field(port, "name");
    if (typeof name === "string") {
      const problem = portNameProblem(name);
      if (problem !== undefined) {
        report(
          "invalid-port",
          [...at, "ports", i, "name"],
          `port name "${name}" is not an IANA service name (${problem}); name it like "http" or "metrics"`,
        );
      } else if (ports.has(name)) {
        report("invalid-port", [...at, "ports", i, "name"], `port name "${name}" is used twice`);
      }
      ports.add(name);
    }
    checkPortNumber(field(port, "containerPort"), [...at, "ports", i, "containerPort"], report);
    const hostPort = field(port, "hostPort");
    if (hostPort !== 0) checkPortNumber(hostPort, [...at, "ports", i, "hostPort"], report);
  });
  for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) {
    for (const handler of ["httpGet", "tcpSocket"]) {
      const port = field(container, probe, handler, "port");
      if (port !== undefined) checkTargetPort(port, [...at, probe, handler, "port"], report);
    }
  }
  asArray(field(container, "volumeMounts")).forEach((mount, i) => {
    const name = asString(field(mount, "name"));
    if (name !== undefined && !volumes.has(name)) {
      report(
        "volume-mismatch",
        [...at, "volumeMounts", i, "name"],
        `volume "${name}" is mounted but the pod declares no such volume`,
      );
    }
  });
  checkResources(field(container, "resources"), [...at, "resources"], report);
}

function checkResources(
  resources: unknown,
  at: readonly (string | number)[],
  report: Report,
): void {
  const values = (part: "requests" | "limits") => {
    const read = new Map<string, number>();
    for (const [name, given] of Object.entries(asRecord(field(resources, part)) ?? {})) {
      const value = quantityValue(given);
      if (value === undefined) {
        if (typeof given === "string") {
          report(
            "invalid-resources",
            [...at, part, name],
            `${part}.${name} "${given}" is not a quantity: write it like 500m, 128Mi or 1G (MB and GB are not units)`,
          );
        }
        continue;
      }
      read.set(name, value);
    }
    return read;
  };
  const requests = values("requests");
  const limits = values("limits");
  for (const [name, request] of requests) {
    const limit = limits.get(name);
    if (limit !== undefined && request > limit) {
      report(
        "invalid-resources",
        [...at, "requests", name],
        `the request for ${name} is greater than its limit`,
      );
    }
  }
}

function checkPortNumber(value: unknown, at: readonly (string | number)[], report: Report): void {
  if (typeof value === "number" && Number.isInteger(value) && (value < 1 || value > 65535)) {
    report("invalid-port", at, `port ${value} is out of range (1 to 65535)`);
  }
}

/** A port given by number or by the name of a container port. */
function checkTargetPort(value: unknown, at: readonly (string | number)[], report: Report): void {
  if (typeof value === "number") {
    checkPortNumber(value, at, report);
    return;
  }
  if (typeof value !== "string") return;
  const problem = portNameProblem(value);
  if (problem !== undefined) {
    const numeric = /^[0-9]+$/.test(value);
    report(
      "invalid-port",
      at,
      numeric
        ? `port "${value}" is a string, so it names a port, and a port name needs a letter; write the number ${value} without quotes`
        : `port "${value}" is neither a number nor an IANA service name (${problem})`,
    );
  }
}

function checkService(value: Record<string, unknown>, report: Report): void {
  const ports = asArray(field(value, "spec", "ports"));
  const names = new Set<string>();
  const numbers = new Set<string>();
  ports.forEach((port, i) => {
    const at = ["spec", "ports", i];
    const name = field(port, "name");
    if (typeof name === "string" && name !== "") {
      if (!(name.length <= 63 && dnsLabel.test(name))) {
        report(
          "invalid-port",
          [...at, "name"],
          `port name "${name}" is not a DNS label (lower-case letters, digits and '-')`,
        );
      } else if (names.has(name)) {
        report("invalid-port", [...at, "name"], `port name "${name}" is used twice`);
      }
      names.add(name);
    } else if (ports.length > 1) {
      report("invalid-port", at, "a Service with several ports must name each of them");
    }
    const number = field(port, "port");
    checkPortNumber(number, [...at, "port"], report);
    const protocol = asString(field(port, "protocol")) ?? "TCP";
    if (typeof number === "number") {
      const key = `${number}/${protocol}`;
      if (numbers.has(key)) {
        report("invalid-port", [...at, "port"], `port ${key} is listed twice`);
      }
      numbers.add(key);
    }
    const targetPort = field(port, "targetPort");
    if (targetPort !== undefined) checkTargetPort(targetPort, [...at, "targetPort"], report);
  });
}

function checkSelector(
  value: Record<string, unknown>,
  selectorPath: readonly string[],
  labelsPath: readonly string[],
  report: Report,
): void {
  const selector = asRecord(field(value, ...selectorPath));
  if (selector === undefined) return;
  const labels = asRecord(field(value, ...labelsPath)) ?? {};
  const label = (key: string) => (typeof labels[key] === "string" ? labels[key] : undefined);
  const unmatched: string[] = [];
  for (const [key, wanted] of Object.entries(asRecord(selector.matchLabels) ?? {})) {
    if (label(key) !== wanted) unmatched.push(`${key}=${String(wanted)}`);
  }
  for (const expression of asArray(selector.matchExpressions)) {
    const key = asString(field(expression, "key"));
    const operator = asString(field(expression, "operator"));
    const values = asArray(field(expression, "values"));
    if (key === undefined || operator === undefined) continue;
    const present = label(key);
    const holds =
      operator === "In"
        ? present !== undefined && values.includes(present)
        : operator === "NotIn"
          ? present === undefined || !values.includes(present)
          : operator === "Exists"
            ? present !== undefined
            : operator === "DoesNotExist"
              ? present === undefined
              : true;
    if (!holds)
      unmatched.push(`${key} ${operator}${values.length > 0 ? ` (${values.join(",")})` : ""}`);
  }
  if (unmatched.length > 0) {
    report(
      "selector-mismatch",
      selectorPath,
      `the selector does not select the template's labels (${unmatched.join(", ")}): the API server refuses it`,
    );
  }
}

function pointerOf(path: readonly (string | number)[]): string {
  return joinPointer(...path);
}
