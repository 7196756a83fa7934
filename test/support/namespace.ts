import { randomBytes } from "node:crypto";
import type { DevCluster } from "../../src/dev/dev-cluster.js";
import { devRequest } from "./dev-request.js";

export interface TestNamespace {
  name: string;
  /** Deletes the namespace (without waiting for it to finish); safe to call twice. */
  cleanup: () => Promise<void>;
}

/**
 * Creates a fresh namespace named `<prefix>-<random>` on the cluster. Register its cleanup in an
 * `after`/`afterEach` hook:
 *
 *     const ns = await testNamespace(provider, "sync");
 *     after(() => ns.cleanup());
 */
export async function testNamespace(cluster: DevCluster, prefix: string): Promise<TestNamespace> {
  const stem = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 50);
  const name = `${stem || "test"}-${randomBytes(4).toString("hex")}`;
  const res = await devRequest(cluster, {
    method: "POST",
    path: "/api/v1/namespaces",
    body: { apiVersion: "v1", kind: "Namespace", metadata: { name } },
  });
  if (res.status !== 201) {
    throw new Error(
      `creating namespace ${name} on ${cluster.name}: HTTP ${res.status} ${res.text}`,
    );
  }
  return {
    name,
    cleanup: async () => {
      const del = await devRequest(cluster, {
        method: "DELETE",
        path: `/api/v1/namespaces/${name}`,
      });
      if (del.status !== 200 && del.status !== 202 && del.status !== 404) {
        throw new Error(
          `deleting namespace ${name} on ${cluster.name}: HTTP ${del.status} ${del.text}`,
        );
      }
    },
  };
}
