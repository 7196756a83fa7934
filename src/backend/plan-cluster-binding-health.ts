import type { ConditionInput } from "../core/kube-bind-conditions.js";

/** A ClusterBinding's heartbeat as the konnector writes it (spec §3.7). */
export interface Heartbeat {
  lastHeartbeatTime?: string;
  /** A Go duration, e.g. `5m0s`. */
  heartbeatInterval?: string;
}

/**
 * The backend's `Healthy` condition of a ClusterBinding (spec §3.7): pending before the first
 * heartbeat, missing interval, timed out when the last heartbeat is older than twice the interval,
 * drifted when it lies in the future (upstream checks "less than 10 s old", an inverted test, spec
 * §12.14; bindops flags a heartbeat more than 10 s ahead of the provider's clock), else True.
 * Also returns when to look again: just after the heartbeat would time out.
 */
export function clusterBindingHealth(
  heartbeat: Heartbeat,
  now: Date,
): { condition: ConditionInput; recheckAfterMs: number | undefined } {
  if (!heartbeat.lastHeartbeatTime) {
    return {
      condition: {
        type: "Healthy",
        status: "False",
        severity: "Info",
        reason: "FirstHeartbeatPending",
        message: "waiting for the first heartbeat of the konnector",
      },
      recheckAfterMs: undefined,
    };
  }
  const intervalMs = parseGoDuration(heartbeat.heartbeatInterval ?? "");
  if (intervalMs === undefined || intervalMs <= 0) {
    return {
      condition: {
        type: "Healthy",
        status: "False",
        severity: "Info",
        reason: "HeartbeatIntervalMissing",
        message: "the konnector wrote no heartbeat interval",
      },
      recheckAfterMs: undefined,
    };
  }
  const last = Date.parse(heartbeat.lastHeartbeatTime);
  const age = now.getTime() - last;
  if (age < -10_000) {
    return {
      condition: {
        type: "Healthy",
        status: "False",
        severity: "Warning",
        reason: "HeartbeatTimeDrift",
        message: `the last heartbeat is ${Math.round(-age / 1000)} s in the future: the clocks differ`,
      },
      recheckAfterMs: intervalMs,
    };
  }
  if (age > 2 * intervalMs) {
    return {
      condition: {
        type: "Healthy",
        status: "False",
        severity: "Error",
        reason: "HeartbeatTimeout",
        message: `no heartbeat for ${Math.round(age / 1000)} s (expected every ${heartbeat.heartbeatInterval})`,
      },
      recheckAfterMs: intervalMs,
    };
  }
  return {
    condition: { type: "Healthy", status: "True" },
    recheckAfterMs: 2 * intervalMs - age + 1_000,
  };
}

/** Milliseconds of a Go duration such as `5m0s`, `1h30m`, `250ms`; `undefined` if malformed. */
export function parseGoDuration(text: string): number | undefined {
  const units: Record<string, number> = {
    h: 3_600_000,
    m: 60_000,
    s: 1_000,
    ms: 1,
    us: 1e-3,
    µs: 1e-3,
    ns: 1e-6,
  };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]!]!, 0);
}
