import type { KubeConfig } from "@kubernetes/client-node";
import type { CallOptions } from "./kube-client.js";
import { KubeHttp } from "./kube-http.js";

/**
 * Whether the API server a kubeconfig points at is ready to serve (`GET /readyz` answers `ok`).
 * A server that does not answer, or answers with an error, rejects with a KubeError.
 */
export async function probeApiServer(
  kubeConfig: KubeConfig,
  options: CallOptions = {},
): Promise<boolean> {
  const http = new KubeHttp(kubeConfig, { requestTimeoutMs: 5_000 });
  try {
    const text = await http.requestText({
      method: "GET",
      path: "/readyz",
      what: "readiness",
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return text.trim() === "ok";
  } finally {
    http.close();
  }
}
