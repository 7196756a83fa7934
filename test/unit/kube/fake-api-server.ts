import { once } from "node:events";
import { setImmediate } from "node:timers/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { isKubeError } from "../../../src/kube/kube-error.js";
import { RestKubeClient } from "../../../src/kube/rest-kube-client.js";
import type { FakeKubeClient } from "../../support/fake-kube-client.js";

export interface Seen {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Handler = (req: Seen, res: http.ServerResponse) => void;

/** A stand-in API server on loopback that records requests and answers as each test says. */
export class FakeApiServer {
  readonly seen: Seen[] = [];
  handler: Handler = (_req, res) => json(res, 404, status(404, "NotFound", "not found"));
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const seen = {
        method: req.method ?? "",
        url: new URL(req.url ?? "/", "http://fake"),
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      this.seen.push(seen);
      if (seen.url.pathname === "/version") {
        json(res, 200, { major: "1", minor: "20", gitVersion: "v1.20.2" });
      } else if (seen.url.pathname === "/api/v1") {
        json(res, 200, {
          kind: "APIResourceList",
          resources: [
            { name: "configmaps", kind: "ConfigMap", namespaced: true },
            { name: "namespaces", kind: "Namespace", namespaced: false },
            { name: "namespaces/status", kind: "Namespace", namespaced: false },
          ],
        });
      } else if (seen.url.pathname === "/apis/apiextensions.k8s.io/v1") {
        json(res, 200, {
          kind: "APIResourceList",
          resources: [
            {
              name: "customresourcedefinitions",
              kind: "CustomResourceDefinition",
              namespaced: false,
            },
          ],
        });
      } else {
        this.handler(seen, res);
      }
    });
  });

  private readonly watches = new Set<http.ServerResponse>();

  /** Watch streams open now. */
  get openWatches(): number {
    return this.watches.size;
  }

  /**
   * Serves list and watch of ConfigMaps from an in-memory store, streaming watch events as
   * newline-delimited JSON as an API server does: a watch from a compacted version is an HTTP 410,
   * a version that expires mid-stream an ERROR event with code 410. The store's own faults
   * (`freezeWatches`, `endWatches`, ...) reach the stream; `cutConnections()` drops it.
   */
  serveConfigMaps(store: FakeKubeClient): void {
    this.handler = (req, res) => {
      const match = /^\/api\/v1(?:\/namespaces\/([^/]+))?\/configmaps$/.exec(req.url.pathname);
      if (!match || req.method !== "GET") {
        json(res, 404, status(404, "NotFound", "not found"));
        return;
      }
      const namespace = match[1];
      const labelSelector = req.url.searchParams.get("labelSelector") ?? undefined;
      const query = {
        apiVersion: "v1",
        kind: "ConfigMap",
        ...(namespace ? { namespace } : {}),
        ...(labelSelector ? { labelSelector } : {}),
      };
      if (req.url.searchParams.get("watch") !== "1") {
        store.list(query).then(
          (list) =>
            json(res, 200, {
              kind: "ConfigMapList",
              metadata: { resourceVersion: list.resourceVersion },
              items: list.items,
            }),
          (error: unknown) => json(res, 500, status(500, "InternalError", String(error))),
        );
        return;
      }
      void this.streamWatch(store, query, req.url.searchParams.get("resourceVersion") ?? "", res);
    };
  }

  /** Drops every open watch connection, as a proxy or a network failure would. */
  cutConnections(): void {
    for (const res of this.watches) res.socket?.destroy();
  }

  private async streamWatch(
    store: FakeKubeClient,
    query: { apiVersion: string; kind: string; namespace?: string },
    resourceVersion: string,
    res: http.ServerResponse,
  ): Promise<void> {
    const controller = new AbortController();
    res.on("close", () => controller.abort());
    const events = store.watch({ ...query, resourceVersion }, { signal: controller.signal });
    this.watches.add(res);
    try {
      // A version the store no longer has fails at once: that is an HTTP 410, before any header.
      const first = events.next();
      const refused = await Promise.race([
        first.then(
          () => undefined,
          (error: unknown) => error,
        ),
        setImmediate().then(() => undefined),
      ]);
      if (isKubeError(refused, "Gone")) {
        json(res, 410, status(410, "Expired", "too old resource version"));
        return;
      }
      res.writeHead(200, { "Content-Type": "application/json" });
      res.flushHeaders();
      let next = await first;
      while (!next.done) {
        res.write(JSON.stringify(next.value) + "\n");
        next = await events.next();
      }
      res.end();
    } catch (error) {
      if (controller.signal.aborted) return;
      if (isKubeError(error, "Gone")) {
        const event = { type: "ERROR", object: status(410, "Expired", "too old resource version") };
        res.end(JSON.stringify(event) + "\n");
      } else {
        res.socket?.destroy();
      }
    } finally {
      this.watches.delete(res);
    }
  }

  /** Listens on loopback, on `port` when given (to come back where a stopped server was). */
  async start(port = 0): Promise<string> {
    this.server.listen(port, "127.0.0.1");
    await once(this.server, "listening");
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, "close");
  }

  requests(path: string): Seen[] {
    return this.seen.filter((s) => s.url.pathname === path);
  }
}

export function json(res: http.ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

export function status(code: number, reason: string, message: string) {
  return { kind: "Status", apiVersion: "v1", status: "Failure", code, reason, message };
}

export function clientFor(
  server: string,
  options: { requestTimeoutMs?: number } = {},
): RestKubeClient {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "fake", server, skipTLSVerify: true }],
    users: [{ name: "fake", token: "t0ken" }],
    contexts: [{ name: "fake", cluster: "fake", user: "fake", namespace: "team" }],
    currentContext: "fake",
  });
  return new RestKubeClient(kc, options);
}
