import { stringify, parse } from "yaml";

/** One kstatus-style condition of a BindingStatus. */
export interface StatusCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message?: string;
  lastTransitionTime: string;
}

/** What the reconciler observed of one binding in the clusters. */
export interface BindingObservation {
  consumer: string;
  binding: string;
  revision: string;
  suspended: boolean;
  /** Why nothing was requested (invalid revision, missing template, unreachable cluster). */
  blocked?: { reason: string; message: string };
  /** The request's phase and terminal message, once it exists. */
  request?: { phase: string; terminalMessage?: string };
  /** Names of the exports serving the binding. */
  exports: string[];
  /** The APIServiceBinding exists on the consumer. */
  bound: boolean;
  /**
   * Hand edits of fields git sets that this reconcile reverted, one line per object
   * (`<cluster>: <Kind> <name>: <fields>`); none when nothing had drifted.
   */
  handEdits?: string[];
  /** The APIServiceBinding's Ready condition, as the konnector reports it. */
  synced?: { status: "True" | "False" | "Unknown"; reason?: string; message?: string };
}

/**
 * The `BindingStatus` document for `status/<consumer>/<binding>.yaml`, as YAML text. Conditions
 * keep their `lastTransitionTime` from `previous` while their status, reason and message stay
 * the same, so an unchanged binding gives byte-identical text and no commit.
 */
export function bindingStatusYaml(
  observation: BindingObservation,
  previous: string | undefined,
  now: Date,
): string {
  const before = previousConditions(previous);
  const time = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  const conditions = [...conditionsOf(observation), ...driftConditions(observation)].map(
    (c): StatusCondition => {
      const old = before.get(c.type);
      const same =
        old &&
        old.status === c.status &&
        old.reason === c.reason &&
        (old.message ?? "") === (c.message ?? "");
      return {
        ...c,
        lastTransitionTime: same && old.lastTransitionTime ? old.lastTransitionTime : time,
      };
    },
  );
  const document = {
    apiVersion: "bindops.dev/v1alpha1",
    kind: "BindingStatus",
    metadata: { name: observation.binding },
    spec: { consumer: observation.consumer, binding: observation.binding },
    status: {
      observedRevision: observation.revision,
      phase: phaseOf(observation),
      conditions,
      ...(observation.exports.length > 0 ? { exports: observation.exports } : {}),
    },
  };
  return (
    "# Written by bindops after each reconcile; edits are overwritten.\n" + stringify(document)
  );
}

function phaseOf(o: BindingObservation): string {
  if (o.suspended) return "Suspended";
  if (o.blocked || o.request?.phase === "Failed") return "Failed";
  if (o.bound && o.synced?.status === "True") return "Synced";
  if (o.bound) return "Bound";
  if (o.request) return "Requested";
  return "Pending";
}

type Plain = Omit<StatusCondition, "lastTransitionTime">;

function conditionsOf(o: BindingObservation): Plain[] {
  const c = (type: string, status: Plain["status"], reason: string, message?: string): Plain => ({
    type,
    status,
    reason,
    ...(message ? { message } : {}),
  });
  if (o.suspended) {
    return [
      c(
        "Ready",
        "Unknown",
        "Suspended",
        "spec.suspend is true: bindops leaves the binding as it is",
      ),
      c("Reconciling", "False", "Suspended"),
      c("Stalled", "False", "Suspended"),
    ];
  }
  if (o.blocked) {
    return [
      c("Ready", "False", o.blocked.reason, o.blocked.message),
      c("Reconciling", "False", o.blocked.reason),
      c("Stalled", "True", o.blocked.reason, o.blocked.message),
      c(
        "Valid",
        o.blocked.reason === "ValidationFailed" ? "False" : "True",
        o.blocked.reason === "ValidationFailed" ? "ValidationFailed" : "Validated",
      ),
    ];
  }
  const failed = o.request?.phase === "Failed";
  const requested = o.request !== undefined;
  const synced = o.synced ?? { status: "Unknown" as const, reason: "KonnectorNotReporting" };
  const ready = o.bound && !failed && synced.status !== "False";
  const list: Plain[] = [
    ready
      ? c("Ready", "True", "Bound")
      : failed
        ? c("Ready", "False", "RequestFailed", o.request?.terminalMessage)
        : c("Ready", "False", "Progressing", requested ? "waiting for the backend" : undefined),
    c(
      "Reconciling",
      !ready && !failed ? "True" : "False",
      !ready && !failed ? "Progressing" : "Done",
    ),
    failed
      ? c("Stalled", "True", "RequestFailed", o.request?.terminalMessage)
      : c("Stalled", "False", "NotStalled"),
    c("Valid", "True", "Validated"),
    requested
      ? c("Requested", "True", o.request?.phase ?? "Pending")
      : c("Requested", "False", "NotRequested"),
    o.bound
      ? c("Bound", "True", "APIServiceBindingApplied")
      : c("Bound", "False", failed ? "RequestFailed" : "WaitingForExport"),
    c("Synced", synced.status, synced.reason ?? "Synced", synced.message),
  ];
  return list;
}

/**
 * `Drifted` while a reconcile reverted hand edits of fields git sets, naming them; absent
 * otherwise, so the next reconcile that finds no drift drops it again.
 */
function driftConditions(o: BindingObservation): Plain[] {
  if (o.suspended || o.blocked || !o.handEdits || o.handEdits.length === 0) return [];
  return [
    {
      type: "Drifted",
      status: "True",
      reason: "HandEditReverted",
      message: `fields git sets were edited by hand and are reverted: ${o.handEdits.join("; ")}`,
    },
  ];
}

function previousConditions(previous: string | undefined): Map<string, StatusCondition> {
  if (!previous) return new Map();
  try {
    const doc = parse(previous) as { status?: { conditions?: StatusCondition[] } } | null;
    return new Map((doc?.status?.conditions ?? []).map((c) => [c.type, c]));
  } catch {
    return new Map();
  }
}
