import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { adaptCrdToServer } from "./adapt-crd-to-server.js";
import type { KubeClient, KubeObject } from "./kube-client.js";
import { KubeError, isKubeError } from "./kube-error.js";
import { formatMs } from "./format-ms.js";

export interface InstallCrdOptions {
  /** Receives one warning per CRD that had to be adapted to an older server. */
  logger: Logger;
  signal?: AbortSignal;
  /** How long to wait for `Established`. Default 60 s. */
  timeoutMs?: number;
  /** Take over fields of the CRD that another field manager owns. Default false. */
  force?: boolean;
  /** Default 250 ms. */
  pollIntervalMs?: number;
}

export interface InstalledCrd {
  name: string;
  /** The CRD as the server has it once established. */
  crd: KubeObject;
  /** JSON pointers of the fields left out because the server predates them. */
  dropped: string[];
}

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

/**
 * Installs (server-side applies) a CustomResourceDefinition and waits until the server serves its
 * kind: `Established` is True and discovery lists it. The CRD is first adapted to the server's
 * version (see `adaptCrdToServer`), with one warning when that drops anything. Fails with
 * `Timeout` naming the CRD when it is not established in time, and with `Conflict` when the server
 * does not accept its names.
 */
export async function installCrd(
  client: KubeClient,
  crd: KubeObject,
  options: InstallCrdOptions,
): Promise<InstalledCrd> {
  const name = crd.metadata.name;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  let last: Condition[] = [];
  try {
    const version = await client.serverVersion({ signal });
    const adapted = adaptCrdToServer(crd, version);
    if (adapted.summary !== undefined) {
      options.logger.warn(
        { crd: name, dropped: adapted.dropped },
        `CRD ${name}: dropped ${adapted.summary}, which Kubernetes ${adapted.server} does not support`,
      );
    }
    await client.apply(adapted.crd, {
      signal,
      ...(options.force === undefined ? {} : { force: options.force }),
    });

    const interval = options.pollIntervalMs ?? 250;
    for (;;) {
      const live = await client.get(
        { apiVersion: crd.apiVersion, kind: crd.kind, name },
        { signal },
      );
      last = conditionsOf(live);
      const names = last.find((c) => c.type === "NamesAccepted");
      if (names?.status === "False") {
        throw new KubeError(
          "Conflict",
          `CRD ${name}: the server did not accept its names: ${names.message ?? names.reason ?? ""}`,
          { reason: names.reason ?? "NamesNotAccepted", server: client.server },
        );
      }
      const established = last.some((c) => c.type === "Established" && c.status === "True");
      if (established && (await served(client, live, signal))) {
        return { name, crd: live, dropped: adapted.dropped };
      }
      await sleep(interval, undefined, { signal });
    }
  } catch (error) {
    if (deadline.aborted && !options.signal?.aborted) {
      const state = last
        .map((c) => `${c.type}=${c.status}${c.message ? ` (${c.message})` : ""}`)
        .join(", ");
      throw new KubeError(
        "Timeout",
        `CRD ${name} was not established within ${formatMs(timeoutMs)}` +
          (state ? `; its conditions: ${state}` : ""),
        { server: client.server, cause: error },
      );
    }
    throw error;
  }
}

export interface InstallCrdsOptions extends InstallCrdOptions {
  /** How many CRDs are applied and awaited at once. Default 4. */
  concurrency?: number;
}

/**
 * Installs several CRDs, a few at a time, and returns them in input order once all are
 * established. When some fail, the others still finish; then the first failure (in input order)
 * is thrown and every failure is logged.
 */
export async function installCrds(
  client: KubeClient,
  crds: readonly KubeObject[],
  options: InstallCrdsOptions,
): Promise<InstalledCrd[]> {
  const results = new Array<PromiseSettledResult<InstalledCrd>>(crds.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < crds.length; i = next++) {
      const crd = crds[i]!;
      try {
        results[i] = { status: "fulfilled", value: await installCrd(client, crd, options) };
      } catch (reason) {
        results[i] = { status: "rejected", reason };
      }
    }
  };
  const width = Math.max(1, Math.min(options.concurrency ?? 4, crds.length));
  await Promise.all(Array.from({ length: width }, worker));

  const failures = results.flatMap((r, i) => (r.status === "rejected" ? [{ r, i }] : []));
  if (failures.length > 0) {
    if (failures.length > 1) {
      for (const { r, i } of failures) {
        options.logger.error(
          { crd: crds[i]?.metadata.name, err: r.reason as unknown },
          `CRD ${crds[i]?.metadata.name} was not installed`,
        );
      }
    }
    throw failures[0]!.r.reason;
  }
  return results.map((r) => (r as PromiseFulfilledResult<InstalledCrd>).value);
}

function conditionsOf(crd: KubeObject): Condition[] {
  const status = crd.status as { conditions?: Condition[] } | undefined;
  return Array.isArray(status?.conditions) ? status.conditions : [];
}

/** Established can precede discovery by a moment; objects of the kind can only be used after both. */
async function served(client: KubeClient, crd: KubeObject, signal: AbortSignal): Promise<boolean> {
  const spec = crd.spec as {
    group?: string;
    names?: { kind?: string };
    versions?: { name?: string; served?: boolean }[];
  };
  const kind = spec.names?.kind;
  if (!spec.group || !kind) return true;
  for (const version of spec.versions ?? []) {
    if (!version.served || !version.name) continue;
    try {
      await client.describeKind(`${spec.group}/${version.name}`, kind, { signal });
    } catch (error) {
      if (isKubeError(error, "NotFound")) return false;
      throw error;
    }
  }
  return true;
}
