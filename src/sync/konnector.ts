import { createHash } from "node:crypto";
import type { Logger } from "pino";
import { kubeBindApiVersion, kubeBindKeys } from "../core/kube-bind-objects.js";
import { Controller } from "../kube/controller.js";
import { InformerFactory } from "../kube/informer-factory.js";
import type { KubeClient, KubeObject } from "../kube/kube-client.js";
import { getOrUndefined } from "../kube/not-found.js";
import { updateBindingStatus } from "./binding-status.js";
import { ProviderConnection } from "./provider-connection.js";

/** A client for a provider, opened from the kubeconfig a consumer Secret holds. */
export interface ProviderClient {
  client: KubeClient & { close(): void };
  /** The kubeconfig's context namespace: the consumer's cluster namespace on the provider. */
  namespace: string;
}

export interface KonnectorOptions {
  /** The consumer cluster, with rights to everything the konnector writes there. */
  consumer: KubeClient;
  /**
   * Opens a provider from a kubeconfig's text. Throws (with a message that never quotes the
   * kubeconfig) when it cannot be read or has no current context with a namespace.
   */
  connect: (kubeconfig: string) => ProviderClient;
  logger: Logger;
  /** Reported in `ClusterBinding.status.konnectorVersion`. */
  version: string;
  /** Default 5 minutes (a heartbeat every half of it). */
  heartbeatIntervalMs?: number;
  /** Default 30 minutes, as kube-bind. */
  resyncPeriodMs?: number;
  /** How long a provider may take to answer before bindings say so. Default 60 s. */
  syncTimeoutMs?: number;
  now?: () => Date;
}

export interface RunningKonnector {
  /** Resolves once the consumer's informers synced and bindings are being served. */
  ready: Promise<void>;
  /** Finishes in-flight work and stops every connection and watch. */
  stop(): Promise<void>;
  /** The provider connections open now. */
  connections(): number;
}

const heartbeatPrefix = "secret:";

/**
 * Runs the konnector on a consumer cluster (spec §6): every `APIServiceBinding` whose kubeconfig
 * Secret reaches a provider is served by one {@link ProviderConnection} per distinct kubeconfig,
 * as is every Secret labelled `kube-bind.io/provider-kubeconfig=true` (so the heartbeat starts
 * before the first binding). A binding moved to another kubeconfig moves to that connection; a
 * connection nothing uses any more is stopped.
 */
export function startKonnector(options: KonnectorOptions): RunningKonnector {
  const { consumer, logger } = options;
  const now = options.now ?? (() => new Date());
  const resyncPeriodMs = options.resyncPeriodMs ?? 30 * 60_000;
  const consumerInformers = new InformerFactory({ client: consumer, logger, resyncPeriodMs });
  const bindings = consumerInformers.acquire({
    apiVersion: kubeBindApiVersion,
    kind: "APIServiceBinding",
  });
  const crds = consumerInformers.acquire({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
  });
  const secrets = consumerInformers.acquire({
    apiVersion: "v1",
    kind: "Secret",
    labelSelector: `${kubeBindKeys.providerKubeconfigLabel}=true`,
  });
  bindings.addIndex("secret", (b) => {
    const ref = secretRefOf(b);
    return ref ? [`${ref.namespace}/${ref.name}`] : [];
  });
  const connections = new Map<string, ProviderConnection>();
  const status = { client: consumer, bindings, now };

  const connectionFor = (kubeconfig: string, source: string): ProviderConnection => {
    const id = createHash("sha256").update(kubeconfig).digest("hex");
    let connection = connections.get(id);
    if (connection !== undefined) return connection;
    const provider = options.connect(kubeconfig);
    connection = new ProviderConnection({
      name: source,
      provider: provider.client,
      clusterNamespace: provider.namespace,
      consumer,
      consumerInformers,
      bindings,
      crds,
      version: options.version,
      ...(options.heartbeatIntervalMs === undefined
        ? {}
        : { heartbeatIntervalMs: options.heartbeatIntervalMs }),
      resyncPeriodMs,
      now,
      logger,
    });
    connections.set(id, connection);
    const started = connection;
    const timer = setTimeout(() => {
      for (const name of started.bindingNames) {
        void updateBindingStatus(
          status,
          name,
          [
            {
              type: "InformersSynced",
              status: "False",
              severity: "Error",
              reason: "InformerSyncTimeout",
              message: "the provider's objects could not be read yet",
            },
          ],
          {},
          AbortSignal.timeout(10_000),
        ).catch(() => undefined);
      }
    }, options.syncTimeoutMs ?? 60_000);
    void started
      .start()
      .then(async () => {
        clearTimeout(timer);
        for (const name of started.bindingNames) {
          await updateBindingStatus(
            status,
            name,
            [{ type: "InformersSynced", status: "True" }],
            {},
            AbortSignal.timeout(10_000),
          );
        }
      })
      .catch((error: unknown) => {
        clearTimeout(timer);
        logger.warn({ err: error, provider: source }, "provider connection stopped");
      });
    logger.info({ provider: source, clusterNamespace: provider.namespace }, "provider connected");
    return connection;
  };

  const detach = async (
    binding: string | undefined,
    secret: string | undefined,
    keep?: ProviderConnection,
  ) => {
    for (const [id, connection] of connections) {
      if (connection === keep) continue;
      if (binding !== undefined) connection.bindingNames.delete(binding);
      if (secret !== undefined) connection.consumerSecrets.delete(secret);
      if (binding !== undefined) connection.touch(binding);
      if (connection.idle()) {
        connections.delete(id);
        await connection.stop();
        logger.info("provider connection closed: nothing uses it any more");
      }
    }
  };

  const readKubeconfig = async (
    ref: { namespace: string; name: string; key: string },
    signal: AbortSignal,
  ): Promise<string | undefined> => {
    const secret =
      secrets.get(ref.name, ref.namespace) ??
      (await getOrUndefined(
        consumer,
        { apiVersion: "v1", kind: "Secret", namespace: ref.namespace, name: ref.name },
        { signal },
      ));
    if (secret === undefined) return undefined;
    const data = (secret.data ?? {}) as Record<string, string>;
    return data[ref.key] === undefined
      ? ""
      : Buffer.from(data[ref.key]!, "base64").toString("utf8");
  };

  const reconcile = async (
    key: string,
    signal: AbortSignal,
  ): Promise<{ requeueAfter?: number }> => {
    if (key.startsWith(heartbeatPrefix)) {
      const secretKey = key.slice(heartbeatPrefix.length);
      const [namespace, name] = secretKey.split("/") as [string, string];
      const kubeconfig = await readKubeconfig({ namespace, name, key: "kubeconfig" }, signal);
      if (!kubeconfig) {
        await detach(undefined, secretKey);
        return {};
      }
      try {
        const connection = connectionFor(kubeconfig, secretKey);
        connection.consumerSecrets.add(secretKey);
        await detach(undefined, secretKey, connection);
      } catch (error) {
        logger.warn(
          { secret: secretKey, err: (error as Error).message },
          "kubeconfig Secret unusable",
        );
      }
      return {};
    }
    const binding = bindings.get(key);
    if (binding === undefined) {
      await detach(key, undefined);
      return {};
    }
    const ref = secretRefOf(binding);
    const secretValid = (reason: string, message: string) =>
      updateBindingStatus(
        status,
        key,
        [{ type: "SecretValid", status: "False", severity: "Error", reason, message }],
        {},
        signal,
      );
    const kubeconfig = ref ? await readKubeconfig(ref, signal) : undefined;
    if (ref === undefined || kubeconfig === undefined) {
      await detach(key, undefined);
      await secretValid(
        "KubeconfigSecretNotFound",
        `Secret ${ref ? `${ref.namespace}/${ref.name}` : "(none)"} not found`,
      );
      return { requeueAfter: 30_000 };
    }
    if (kubeconfig === "") {
      await detach(key, undefined);
      await secretValid(
        "KubeconfigSecretInvalid",
        `Secret ${ref.namespace}/${ref.name} has no key ${ref.key}`,
      );
      return {};
    }
    let connection: ProviderConnection;
    try {
      connection = connectionFor(kubeconfig, `${ref.namespace}/${ref.name}`);
    } catch (error) {
      await detach(key, undefined);
      await secretValid("KubeconfigSecretInvalid", (error as Error).message);
      return {};
    }
    connection.bindingNames.add(key);
    await detach(key, undefined, connection);
    await updateBindingStatus(status, key, [{ type: "SecretValid", status: "True" }], {}, signal);
    connection.touch(key);
    return {};
  };

  const controller = new Controller({
    name: "konnector",
    logger,
    workers: 2,
    stopInformers: false,
    sources: [
      { informer: bindings },
      {
        informer: secrets,
        keysFor: (s) => [
          `${heartbeatPrefix}${s.metadata.namespace}/${s.metadata.name}`,
          ...bindings
            .byIndex("secret", `${s.metadata.namespace}/${s.metadata.name}`)
            .map((b) => b.metadata.name),
        ],
      },
    ],
    reconcile: (key, { signal }) => reconcile(key, signal),
  });
  const ready = (async () => {
    await crds.waitForSync();
    await controller.start();
  })();
  // Stopped before it was ready (a SIGTERM right after start): that is no failure of its own;
  // whoever awaits `ready` still sees the rejection.
  ready.catch(() => undefined);
  return {
    ready,
    connections: () => connections.size,
    async stop() {
      await controller.stop();
      await Promise.all([...connections.values()].map((c) => c.stop()));
      connections.clear();
      await consumerInformers.stopAll();
    },
  };
}

function secretRefOf(
  binding: KubeObject,
): { namespace: string; name: string; key: string } | undefined {
  const ref = (binding.spec as { kubeconfigSecretRef?: Record<string, unknown> } | undefined)
    ?.kubeconfigSecretRef;
  if (typeof ref?.name !== "string" || typeof ref.namespace !== "string") return undefined;
  return {
    namespace: ref.namespace,
    name: ref.name,
    key: typeof ref.key === "string" ? ref.key : "kubeconfig",
  };
}
