import http from "node:http";
import https from "node:https";
import { timeoutSignal } from "../../src/core/timeout-signal.js";

/** Where and how to reach one local API server (or etcd, over plain http, without token or CA). */
export interface DevEndpoint {
  /** `https://127.0.0.1:<port>` (or `http://` for etcd). */
  server: string;
  token?: string;
  /** PEM certificates to trust for `https`. */
  ca?: string;
}

export interface DevRequestOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Default `application/json`; e.g. `application/merge-patch+json` for PATCH. */
  contentType?: string;
  signal?: AbortSignal;
  /** Default 10 s. */
  timeoutMs?: number;
}

export interface DevResponse {
  status: number;
  text: string;
  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  json: unknown;
}

/**
 * One request to a local control-plane endpoint with node's own http(s), trusting only the given
 * CA. Any HTTP status resolves; only network failures, timeouts and aborts reject. No keep-alive,
 * so nothing lingers after the call.
 */
export function devRequest(
  endpoint: DevEndpoint,
  options: DevRequestOptions,
): Promise<DevResponse> {
  const url = new URL(options.path, endpoint.server);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { accept: "application/json" };
  if (endpoint.token !== undefined) headers.authorization = `Bearer ${endpoint.token}`;
  if (payload !== undefined) {
    headers["content-type"] = options.contentType ?? "application/json";
    headers["content-length"] = String(Buffer.byteLength(payload));
  }
  const { signal, clear } = timeoutSignal(options.timeoutMs ?? 10_000, options.signal);
  const requestOptions: https.RequestOptions = {
    method: options.method ?? "GET",
    headers,
    agent: false,
    signal,
    ...(endpoint.ca === undefined ? {} : { ca: endpoint.ca }),
  };
  const send = url.protocol === "https:" ? https.request : http.request;
  const request = new Promise<DevResponse>((resolve, reject) => {
    const req = send(url, requestOptions, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, text, json });
      });
    });
    req.on("error", reject);
    req.end(payload);
  });
  return request.finally(clear);
}
