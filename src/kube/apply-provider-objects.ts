import type { Logger } from "pino";
import type { KubeObject } from "../core/kube-object.js";
import { installCrds, type InstalledCrd } from "./install-crd.js";
import type { KubeClient } from "./kube-client.js";

/** What {@link applyProviderObjects} did. */
export interface AppliedProviderObjects {
  /** The CRDs, established, with the schema fields the server predates that were left out. */
  crds: InstalledCrd[];
  /** The APIServiceExportTemplates applied, in input order. */
  templates: KubeObject[];
}

/**
 * Applies a provider's CustomResourceDefinitions (adapted to the server's version, and awaited
 * until established) and then its APIServiceExportTemplates, by server-side apply. Other kinds
 * among `objects` are left alone.
 */
export async function applyProviderObjects(
  client: KubeClient,
  objects: readonly KubeObject[],
  options: {
    logger: Logger;
    signal?: AbortSignal;
    /** Take fields over from other managers: git is the source of truth (the reconciler). */
    force?: boolean;
  },
): Promise<AppliedProviderObjects> {
  const crds = await installCrds(
    client,
    objects.filter((o) => o.kind === "CustomResourceDefinition"),
    {
      logger: options.logger,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.force ? { force: true } : {}),
    },
  );
  const templates: KubeObject[] = [];
  for (const template of objects.filter((o) => o.kind === "APIServiceExportTemplate")) {
    await client.apply(template, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.force ? { force: true } : {}),
    });
    templates.push(template);
  }
  return { crds, templates };
}
