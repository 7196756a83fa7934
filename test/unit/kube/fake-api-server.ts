import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { RestKubeClient } from "../../../src/kube/rest-kube-client.js";

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

  async start(): Promise<string> {
    this.server.listen(0, "127.0.0.1");
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
