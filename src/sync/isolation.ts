/** How consumer objects of a bound kind map to provider objects (spec §6.7). */
export type IsolationStrategy = "ServiceNamespaced" | "None" | "Prefixed" | "Namespaced";

/** Where an object lives: namespace `""` for a cluster-scoped one. */
export interface ObjectKey {
  namespace: string;
  name: string;
}

/** The provider namespaces mapped for a consumer (APIServiceNamespace `status.namespace`). */
export interface NamespaceMapping {
  /** The provider namespace of a consumer namespace; undefined while none is assigned. */
  providerNamespace(consumerNamespace: string): string | undefined;
  /** The consumer namespace a provider namespace was assigned for, if any. */
  consumerNamespace(providerNamespace: string): string | undefined;
}

/**
 * kube-bind's choice of strategy: a namespaced kind on the consumer is always
 * `ServiceNamespaced`; cluster-scoped ones follow the export's isolation (`None` when unknown).
 */
export function isolationStrategy(
  consumerScope: "Cluster" | "Namespaced",
  isolation: string | undefined,
): IsolationStrategy {
  if (consumerScope === "Namespaced") return "ServiceNamespaced";
  return isolation === "Prefixed" || isolation === "Namespaced" ? isolation : "None";
}

/** Key mapping between the two clusters under one strategy, for one cluster namespace. */
export class KeyMapper {
  constructor(
    readonly strategy: IsolationStrategy,
    private readonly clusterNamespace: string,
    private readonly namespaces: NamespaceMapping,
  ) {}

  /**
   * The provider key of a consumer object; undefined when it has none yet (`ServiceNamespaced`
   * before the backend assigned the namespace).
   */
  toProvider(key: ObjectKey): ObjectKey | undefined {
    switch (this.strategy) {
      case "ServiceNamespaced": {
        const namespace = this.namespaces.providerNamespace(key.namespace);
        return namespace === undefined ? undefined : { namespace, name: key.name };
      }
      case "None":
        return { namespace: "", name: key.name };
      case "Prefixed":
        return { namespace: "", name: `${this.clusterNamespace}-${key.name}` };
      case "Namespaced":
        return { namespace: this.clusterNamespace, name: key.name };
    }
  }

  /** The consumer key of a provider object; undefined when it lies outside the mapping. */
  toConsumer(key: ObjectKey): ObjectKey | undefined {
    switch (this.strategy) {
      case "ServiceNamespaced": {
        const namespace = this.namespaces.consumerNamespace(key.namespace);
        return namespace === undefined ? undefined : { namespace, name: key.name };
      }
      case "None":
        return key.namespace === "" ? key : undefined;
      case "Prefixed": {
        const prefix = `${this.clusterNamespace}-`;
        return key.namespace === "" &&
          key.name.startsWith(prefix) &&
          key.name.length > prefix.length
          ? { namespace: "", name: key.name.slice(prefix.length) }
          : undefined;
      }
      case "Namespaced":
        return key.namespace === this.clusterNamespace
          ? { namespace: "", name: key.name }
          : undefined;
    }
  }

  /** Cluster-scoped copies on the provider are owned by the cluster namespace (`None`, `Prefixed`). */
  ownedByClusterNamespace(): boolean {
    return this.strategy === "None" || this.strategy === "Prefixed";
  }
}

/** An informer key (`namespace/name` or `name`) as an {@link ObjectKey}. */
export function parseKey(key: string): ObjectKey {
  const slash = key.indexOf("/");
  return slash < 0
    ? { namespace: "", name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
