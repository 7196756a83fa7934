/**
 * kube-bind's condition model (Cluster-API style, not metav1.Condition): conditions sorted with
 * `Ready` first, then by type; `lastTransitionTime` changes only when status, reason, severity or
 * message changes, truncated to whole seconds; `Ready` summarises the others.
 */
export interface KubeBindCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  /** Only set when status is False. */
  severity?: "Error" | "Warning" | "Info" | "";
  /** RFC 3339, whole seconds, UTC. */
  lastTransitionTime: string;
  reason?: string;
  message?: string;
}

/** A condition as a controller states it; the time is filled in by `setCondition`. */
export type ConditionInput = Omit<KubeBindCondition, "lastTransitionTime">;

/** RFC 3339 in whole seconds, UTC, as Kubernetes serialises `metav1.Time`. */
export function conditionTime(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * The conditions with `input` set: its `lastTransitionTime` is kept when nothing but the time
 * would change, so writing the same state twice changes nothing. Returns a new sorted array.
 */
export function setCondition(
  conditions: readonly KubeBindCondition[] | undefined,
  input: ConditionInput,
  now: Date,
): KubeBindCondition[] {
  const clean: ConditionInput = {
    type: input.type,
    status: input.status,
    ...(input.status === "False" && input.severity ? { severity: input.severity } : {}),
    ...(input.reason ? { reason: input.reason } : {}),
    ...(input.message ? { message: input.message } : {}),
  };
  const existing = conditions?.find((c) => c.type === input.type);
  const same =
    existing !== undefined &&
    existing.status === clean.status &&
    (existing.severity ?? "") === (clean.severity ?? "") &&
    (existing.reason ?? "") === (clean.reason ?? "") &&
    (existing.message ?? "") === (clean.message ?? "");
  const next: KubeBindCondition = {
    ...clean,
    lastTransitionTime: same ? existing.lastTransitionTime : conditionTime(now),
  };
  return sortConditions([...(conditions ?? []).filter((c) => c.type !== input.type), next]);
}

/** `Ready` first, then alphabetically by type. */
export function sortConditions(conditions: readonly KubeBindCondition[]): KubeBindCondition[] {
  return [...conditions].sort((a, b) => {
    if (a.type === b.type) return 0;
    if (a.type === "Ready") return -1;
    if (b.type === "Ready") return 1;
    return a.type < b.type ? -1 : 1;
  });
}

/** The condition of a type, if present. */
export function findCondition(
  conditions: readonly KubeBindCondition[] | undefined,
  type: string,
): KubeBindCondition | undefined {
  return conditions?.find((c) => c.type === type);
}

const rank = (c: KubeBindCondition): number => {
  if (c.status === "False") {
    return c.severity === "Error"
      ? 0
      : c.severity === "Warning"
        ? 1
        : c.severity === "Info"
          ? 2
          : 0;
  }
  return c.status === "True" ? 3 : 4;
};

/**
 * Sets `Ready` from the other conditions, as kube-bind's `SetSummary`: the best-ranked group of
 * (status, severity) wins — False/Error, False/Warning, False/Info, True, Unknown. A False group
 * gives Ready=False with the reason and message of its first condition by type; True gives
 * Ready=True; otherwise Unknown. Without other conditions, no Ready is written.
 */
export function setReadySummary(
  conditions: readonly KubeBindCondition[] | undefined,
  now: Date,
): KubeBindCondition[] {
  const others = sortConditions((conditions ?? []).filter((c) => c.type !== "Ready"));
  if (others.length === 0) return others;
  const best = Math.min(...others.map(rank));
  const first = others.find((c) => rank(c) === best)!;
  const summary: ConditionInput =
    first.status === "False"
      ? {
          type: "Ready",
          status: "False",
          severity: first.severity || "Error",
          ...(first.reason ? { reason: first.reason } : {}),
          ...(first.message ? { message: first.message } : {}),
        }
      : { type: "Ready", status: first.status };
  return setCondition(conditions, summary, now);
}
