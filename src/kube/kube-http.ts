import http from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { BindopsError } from "../core/errors.js";
import { KubeError, type KubeErrorCode } from "./kube-error.js";
import { formatMs } from "./format-ms.js";

export interface KubeRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Absolute API path, e.g. `/api/v1/namespaces`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Serialised as JSON. */
  body?: unknown;
  contentType?: string;
  /** Names what the call is about in messages, e.g. `ConfigMap team/settings`. */
  what?: string;
  signal?: AbortSignal;
}

export interface KubeHttpOptions {
  /** A request that gets no complete answer in this time fails with `Timeout`. Default 30 s. */
  requestTimeoutMs?: number;
}

/** Network failures that mean "nothing answered", as opposed to a bug. */
const networkMessages: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "connection timed out",
  EPIPE: "connection closed",
  ECONNABORTED: "connection aborted",
};

/**
 * JSON over HTTPS to one API server, with the credentials of a kubeconfig context. The
 * kubeconfig's own machinery provides TLS material and the Authorization header (so token files,
 * exec plugins and client certificates all work); this adds cancellation, timeouts, keep-alive and
 * typed errors.
 */
export class KubeHttp {
  readonly server: string;
  private readonly base: URL;
  private readonly timeoutMs: number;
  private agent: http.Agent | undefined;

  constructor(
    private readonly kubeConfig: KubeConfig,
    options: KubeHttpOptions = {},
  ) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) {
      throw new BindopsError("usage", "kubeconfig-no-cluster", "the kubeconfig has no cluster");
    }
    this.server = cluster.server.replace(/\/+$/, "");
    this.base = new URL(this.server);
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  /** Sends a request and returns the parsed JSON body of a 2xx answer; throws KubeError otherwise. */
  async request<T>(request: KubeRequest): Promise<T> {
    const text = await this.send(request);
    if (text.length === 0) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new KubeError("Unknown", `${this.server} answered ${request.path} with non-JSON`, {
        server: this.server,
        cause: error,
      });
    }
  }

  /**
   * Sends a request whose answer is a stream of newline-delimited JSON (a watch) and yields each
   * non-empty line as it arrives. A non-2xx answer and a cut connection (`Unreachable`) end the
   * iteration with a KubeError; the caller's abort ends it with the caller's reason. The request
   * timeout covers only the arrival of the response headers: a stream may stay open as long as
   * the server keeps it, so callers watch for idle streams themselves. Leaving the loop early
   * closes the connection.
   */
  async *stream(request: KubeRequest): AsyncGenerator<string, void, undefined> {
    const { signal } = request;
    signal?.throwIfAborted();
    const options = await this.requestOptions();
    // Aborts the connection when the loop is left, and on the caller's abort.
    const local = new AbortController();
    const combined = signal ? AbortSignal.any([signal, local.signal]) : local.signal;
    const url = this.url(request);
    const transport = url.protocol === "http:" ? http : https;
    const req = transport.request(url, { ...options, method: request.method, signal: combined });
    // Destroying the request on the way out may emit errors nobody is waiting for any more.
    req.on("error", ignore);
    const failure = (error: unknown): unknown => {
      if (error instanceof KubeError) return error;
      if (signal?.aborted) return signal.reason;
      return this.networkError(error);
    };
    try {
      const res = await this.awaitHeaders(req, request, combined);
      res.on("error", ignore);
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        throw this.statusError(request, status, await readAll(res));
      }
      let pending = "";
      for await (const chunk of res as AsyncIterable<Buffer>) {
        pending += chunk.toString("utf8");
        let newline = pending.indexOf("\n");
        while (newline >= 0) {
          const line = pending.slice(0, newline).trim();
          pending = pending.slice(newline + 1);
          if (line !== "") yield line;
          newline = pending.indexOf("\n");
        }
      }
      if (!res.complete) {
        throw this.networkError(new Error("the server closed the stream before its end"));
      }
      const rest = pending.trim();
      if (rest !== "") yield rest;
    } catch (error) {
      throw failure(error);
    } finally {
      if (!local.signal.aborted) local.abort();
      req.destroy();
    }
  }

  /** Sends a request and returns the text of a 2xx answer (`/readyz`, `/livez`); throws otherwise. */
  requestText(request: KubeRequest): Promise<string> {
    return this.send(request);
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }

  private async send(request: KubeRequest): Promise<string> {
    const { signal } = request;
    signal?.throwIfAborted();
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const options = await this.requestOptions();
    try {
      return await this.exchange(request, options, combined);
    } catch (error) {
      if (error instanceof KubeError) throw error;
      if (signal?.aborted) {
        if (isTimeoutReason(signal.reason)) throw this.timeoutError(request, undefined, error);
        throw signal.reason;
      }
      if (timeout.aborted) throw this.timeoutError(request, this.timeoutMs, error);
      throw this.networkError(error);
    }
  }

  private exchange(
    request: KubeRequest,
    options: http.RequestOptions,
    signal: AbortSignal,
  ): Promise<string> {
    const url = this.url(request);
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const transport = url.protocol === "http:" ? http : https;
    return new Promise<string>((resolve, reject) => {
      const req = transport.request(url, { ...options, method: request.method, signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(text);
          else reject(this.statusError(request, status, text));
        });
      });
      req.on("error", reject);
      if (body !== undefined) {
        req.setHeader("Content-Type", request.contentType ?? "application/json");
        req.setHeader("Content-Length", Buffer.byteLength(body));
        req.end(body);
      } else {
        req.end();
      }
    });
  }

  /** Ends the request and waits for the response headers, at most the request timeout. */
  private awaitHeaders(
    req: http.ClientRequest,
    request: KubeRequest,
    signal: AbortSignal,
  ): Promise<http.IncomingMessage> {
    return new Promise<http.IncomingMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(this.timeoutError(request, this.timeoutMs, undefined));
        req.destroy();
      }, this.timeoutMs);
      const settle = (): void => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
      };
      const onAbort = (): void => {
        settle();
        reject(signal.reason as Error);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      req.once("response", (res) => {
        settle();
        resolve(res);
      });
      req.once("error", (error) => {
        settle();
        reject(error);
      });
      req.end();
    });
  }

  private url(request: KubeRequest): URL {
    // A server URL may carry a path prefix (API proxies do); API paths go below it.
    const url = new URL(this.base.toString());
    url.pathname = this.base.pathname.replace(/\/+$/, "") + request.path;
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  /**
   * Headers are rebuilt for every request so that rotating tokens (token files, exec plugins) stay
   * current; the agent, which holds the TLS material and the open connections, is built once.
   */
  private async requestOptions(): Promise<http.RequestOptions> {
    const options: https.RequestOptions = {};
    try {
      await this.kubeConfig.applyToHTTPSOptions(options);
    } catch (error) {
      throw new BindopsError(
        "usage",
        "kubeconfig-credentials",
        `cannot use the kubeconfig credentials for ${this.server}: ${messageOf(error)}`,
        { hint: "check the user entry of the kubeconfig context", cause: error },
      );
    }
    this.agent ??= this.makeAgent(options);
    const headers: http.OutgoingHttpHeaders = {
      Accept: "application/json",
      ...(options.headers as http.OutgoingHttpHeaders | undefined),
    };
    return {
      agent: this.agent,
      headers,
      ...(options.auth === undefined ? {} : { auth: options.auth }),
    };
  }

  private makeAgent(options: https.RequestOptions): http.Agent {
    const cluster = this.kubeConfig.getCurrentCluster();
    // Proxy agents come from the kubeconfig as they are.
    if (cluster?.proxyUrl && options.agent instanceof http.Agent) return options.agent;
    if (this.base.protocol === "http:") return new http.Agent({ keepAlive: true });
    return new https.Agent({
      keepAlive: true,
      ...pick(options, [
        "ca",
        "cert",
        "key",
        "pfx",
        "passphrase",
        "rejectUnauthorized",
        "servername",
      ]),
    });
  }

  /** The KubeError for an answer with HTTP `status` and body `text` (usually a `Status`). */
  statusError(request: KubeRequest, status: number, text: string): KubeError {
    const parsed = parseStatus(text);
    const serverMessage = parsed?.message ?? (text.trim().slice(0, 500) || undefined);
    const reason = parsed?.reason;
    const code = codeForStatus(status, reason, serverMessage);
    const what = request.what ?? `${request.method} ${request.path}`;
    const details = {
      server: this.server,
      status,
      ...(reason === undefined ? {} : { reason }),
      ...(serverMessage === undefined ? {} : { serverMessage }),
    };
    switch (code) {
      case "Unauthorized":
        return new KubeError(
          code,
          `the API server at ${this.server} did not accept the credentials (401 Unauthorized)`,
          { ...details, hint: "renew the token or client certificate of the kubeconfig user" },
        );
      case "Forbidden":
        return new KubeError(code, `${this.server} refused ${what}: ${serverMessage ?? status}`, {
          ...details,
          hint: "the kubeconfig user needs RBAC permission for this",
        });
      case "Conflict":
        return new KubeError(code, `${what}: ${serverMessage ?? "conflict"}`, {
          ...details,
          ...(reason === "Conflict" && request.method === "PATCH"
            ? { hint: "another field manager owns these fields; apply with force to take them" }
            : {}),
        });
      default:
        return new KubeError(code, `${what}: ${serverMessage ?? `HTTP ${status}`}`, details);
    }
  }

  private timeoutError(
    request: KubeRequest,
    timeoutMs: number | undefined,
    cause: unknown,
  ): KubeError {
    const within = timeoutMs === undefined ? "" : ` within ${formatMs(timeoutMs)}`;
    return new KubeError(
      "Timeout",
      `no answer from the API server at ${this.server}${within} (${request.what ?? request.path})`,
      { server: this.server, cause },
    );
  }

  private networkError(error: unknown): KubeError {
    const code = errorCode(error);
    const tls = code !== undefined && isTlsCode(code);
    const what =
      (code !== undefined ? networkMessages[code] : undefined) ??
      (tls ? `TLS failure: ${messageOf(error)}` : messageOf(error));
    return new KubeError(
      "Unreachable",
      `cannot reach the Kubernetes API server at ${this.server}: ${what}${code && !tls ? ` (${code})` : ""}`,
      {
        server: this.server,
        cause: error,
        hint: tls
          ? "check certificate-authority(-data) and the server name in the kubeconfig"
          : "check that the cluster is running and that the kubeconfig's server URL is right",
      },
    );
  }
}

function codeForStatus(
  status: number,
  reason: string | undefined,
  message: string | undefined,
): KubeErrorCode {
  switch (status) {
    case 400:
    case 415:
    case 422:
      return "Invalid";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 408:
    case 504:
      return "Timeout";
  }
  // Servers before about 1.26 answer an apply patch with fields their schema lacks with a 500.
  if (
    status === 500 &&
    /failed to create typed patch object|field not declared in schema/.test(message ?? "")
  ) {
    return "Invalid";
  }
  if (reason === "Timeout") return "Timeout";
  return "Unknown";
}

interface Status {
  message?: string;
  reason?: string;
}

function parseStatus(text: string): Status | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== "object" || value === null) return undefined;
    const { message, reason } = value as Record<string, unknown>;
    return {
      ...(typeof message === "string" && message !== "" ? { message } : {}),
      ...(typeof reason === "string" && reason !== "" ? { reason } : {}),
    };
  } catch {
    return undefined;
  }
}

function ignore(): void {}

function readAll(res: http.IncomingMessage): Promise<string> {
  return new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    res.on("data", (chunk: Buffer) => chunks.push(chunk));
    res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    res.on("error", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

function pick<T extends object, K extends keyof T>(object: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (object[key] !== undefined) out[key] = object[key];
  return out;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

function isTlsCode(code: string): boolean {
  return /CERT|SELF_SIGNED|UNABLE_TO|ERR_SSL|ERR_TLS|EPROTO/.test(code);
}

function isTimeoutReason(reason: unknown): boolean {
  return reason instanceof Error && reason.name === "TimeoutError";
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
