import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { BindopsMetrics } from "./metrics.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A GitHub push the webhook accepted. */
export interface PushEvent {
  /** `refs/heads/<branch>`. */
  ref: string;
  after?: string;
}

export interface EndpointsOptions {
  /** `host:port`; port 0 picks a free one. Undefined: not served. */
  healthAddr?: string;
  metricsAddr?: string;
  /** Served only with a webhook secret. */
  webhookAddr?: string;
  /** Live: the process works (its loop has not wedged). */
  live: () => boolean;
  /** Ready: the first revision is applied and the informers have synced. */
  ready: () => boolean;
  metrics: BindopsMetrics;
  webhook?: {
    secret: string;
    /** Only pushes to this branch trigger; others are ignored. */
    branch: string | undefined;
    onPush: (event: PushEvent) => void;
  };
  logger: Logger;
}

/** The servers that run, with the addresses they listen on (the real port when 0 was asked). */
export interface RunningEndpoints {
  addresses: { health?: string; metrics?: string; webhook?: string };
  close(): Promise<void>;
}

/** Webhook bodies larger than this are refused (413): GitHub push payloads are at most 25 MB. */
export const maxWebhookBytes = 25 * 1024 * 1024;

/**
 * Serves `/healthz` and `/readyz` (health address), `/metrics` (metrics address, Prometheus text)
 * and `POST /webhook/github` (webhook address), as controller-runtime managers lay them out. The
 * webhook verifies `X-Hub-Signature-256` against the secret in constant time before it reads the
 * payload as JSON; a bad signature is 401 and its body is never logged.
 */
export async function startEndpoints(options: EndpointsOptions): Promise<RunningEndpoints> {
  const servers: Server[] = [];
  const addresses: RunningEndpoints["addresses"] = {};
  const routes = new Map<
    string,
    Map<string, (req: IncomingMessage, res: ServerResponse) => void>
  >();
  const add = (
    addr: string | undefined,
    path: string,
    handler: (req: IncomingMessage, res: ServerResponse) => void,
  ) => {
    if (addr === undefined) return;
    let table = routes.get(addr);
    if (table === undefined) routes.set(addr, (table = new Map<string, Handler>()));
    table.set(path, handler);
  };
  const text = (
    res: ServerResponse,
    status: number,
    body: string,
    type = "text/plain; charset=utf-8",
  ) => {
    res.writeHead(status, { "content-type": type });
    res.end(body);
  };
  add(options.healthAddr, "/healthz", (_req, res) => {
    if (options.live()) text(res, 200, "ok\n");
    else text(res, 500, "not live\n");
  });
  add(options.healthAddr, "/readyz", (_req, res) => {
    if (options.ready()) text(res, 200, "ok\n");
    else text(res, 503, "not ready: the first revision is not applied yet\n");
  });
  add(options.metricsAddr, "/metrics", (_req, res) => {
    options.metrics.registry
      .metrics()
      .then((body) => text(res, 200, body, options.metrics.registry.contentType))
      .catch((error: unknown) => text(res, 500, `${(error as Error).message}\n`));
  });
  if (options.webhook) {
    const webhook = options.webhook;
    add(options.webhookAddr, "/webhook/github", (req, res) =>
      handleWebhook(req, res, webhook, options),
    );
  }
  try {
    for (const [addr, table] of routes) {
      const server = createServer((req, res) => {
        const path = (req.url ?? "/").split("?")[0]!;
        const handler = table.get(path);
        if (handler === undefined) text(res, 404, "not found\n");
        else handler(req, res);
      });
      const { host, port } = parseAddr(addr);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve();
        });
      });
      servers.push(server);
      const bound = server.address() as AddressInfo;
      const actual = `${host ?? ""}:${bound.port}`;
      if (table.has("/healthz")) addresses.health = actual;
      if (table.has("/metrics")) addresses.metrics = actual;
      if (table.has("/webhook/github")) addresses.webhook = actual;
    }
  } catch (error) {
    await Promise.all(servers.map(closeServer));
    throw error;
  }
  return {
    addresses,
    close: async () => {
      await Promise.all(servers.map(closeServer));
    },
  };
}

function handleWebhook(
  req: IncomingMessage,
  res: ServerResponse,
  webhook: NonNullable<EndpointsOptions["webhook"]>,
  options: EndpointsOptions,
): void {
  const reply = (status: number, body: string, result: string) => {
    options.metrics.webhookRequests.inc({ result });
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
    res.end(body);
  };
  if (req.method !== "POST") {
    reply(405, "POST only\n", "invalid");
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxWebhookBytes) {
      if (!refused) reply(413, "payload too large\n", "invalid");
      refused = true;
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on("end", () => {
    if (refused) return;
    const body = Buffer.concat(chunks);
    const signature = req.headers["x-hub-signature-256"];
    if (typeof signature !== "string" || !validSignature(body, signature, webhook.secret)) {
      options.logger.warn(
        { event: req.headers["x-github-event"], delivery: req.headers["x-github-delivery"] },
        "webhook refused: bad or missing X-Hub-Signature-256",
      );
      reply(401, "bad signature\n", "unauthorized");
      return;
    }
    const event = req.headers["x-github-event"];
    if (event === "ping") {
      reply(200, "pong\n", "ignored");
      return;
    }
    if (event !== "push") {
      reply(202, `ignored: event ${String(event)}\n`, "ignored");
      return;
    }
    let payload: PushEvent;
    try {
      payload = JSON.parse(body.toString("utf8")) as PushEvent;
    } catch {
      reply(400, "payload is not JSON\n", "invalid");
      return;
    }
    if (typeof payload.ref !== "string") {
      reply(400, "push without ref\n", "invalid");
      return;
    }
    if (webhook.branch !== undefined && payload.ref !== `refs/heads/${webhook.branch}`) {
      reply(202, `ignored: ${payload.ref} is not the followed branch\n`, "ignored");
      return;
    }
    options.logger.info({ ref: payload.ref, after: payload.after }, "webhook: push received");
    webhook.onPush(payload);
    reply(202, "fetching\n", "accepted");
  });
}

/** `sha256=<hex HMAC of the body>`, compared in constant time. */
export function validSignature(body: Buffer, header: string, secret: string): boolean {
  const expected = Buffer.from(
    `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
    "utf8",
  );
  const given = Buffer.from(header, "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** `host:port`, `:port` or `port`. */
export function parseAddr(addr: string): { host: string | undefined; port: number } {
  const colon = addr.lastIndexOf(":");
  const host = colon > 0 ? addr.slice(0, colon).replace(/^\[|\]$/g, "") : undefined;
  const port = Number(colon >= 0 ? addr.slice(colon + 1) : addr);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`"${addr}" is not host:port (port 0 to 65535)`);
  }
  return { host, port };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
