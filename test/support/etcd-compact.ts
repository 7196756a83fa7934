import { readFile } from "node:fs/promises";
import https from "node:https";
import { devPaths } from "../../src/dev/dev-paths.js";
import { readDevState } from "../../src/dev/dev-state.js";

/**
 * Compacts the dev control plane's etcd up to its current revision through etcd's gRPC gateway
 * (`POST /v3/kv/range` for the revision, then `POST /v3/kv/compaction`), over TLS with the dev
 * PKI's etcd client certificate, so that every older resourceVersion is gone from etcd. Returns
 * the revision compacted to.
 */
export async function etcdCompact(stateDir: string): Promise<number> {
  const paths = devPaths(stateDir);
  const state = await readDevState(paths.stateFile);
  if (!state) throw new Error(`no dev state in ${stateDir}`);
  const tls = {
    ca: await readFile(paths.pki.caCert, "utf8"),
    cert: await readFile(paths.pki.etcdClientCert, "utf8"),
    key: await readFile(paths.pki.etcdClientKey, "utf8"),
  };
  const post = (path: string, body: unknown): Promise<{ status: number; text: string }> =>
    new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: "127.0.0.1",
          port: state.etcd.clientPort,
          path,
          method: "POST",
          headers: { "Content-Type": "application/json" },
          ...tls,
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
          );
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify(body));
    });
  const range = await post("/v3/kv/range", { key: Buffer.from("/").toString("base64"), limit: 1 });
  const header = (JSON.parse(range.text) as { header?: { revision?: string } }).header;
  const revision = Number(header?.revision);
  if (!Number.isFinite(revision)) throw new Error(`etcd answered the range with ${range.text}`);
  const compaction = await post("/v3/kv/compaction", {
    revision: String(revision),
    physical: true,
  });
  if (compaction.status !== 200) throw new Error(`etcd refused the compaction: ${compaction.text}`);
  return revision;
}
