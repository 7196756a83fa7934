import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rename } from "node:fs/promises";
import { promisify } from "node:util";
import { BindopsError } from "../core/errors.js";
import type { DevPaths } from "./dev-paths.js";

const run = promisify(execFile);

/** Certificates of the local control plane are valid this long; a dev state rarely lives longer. */
const validDays = 3650;

/** Where a certificate may be reached: what its subjectAltName lists. */
const loopback = ["IP:127.0.0.1", "IP:0:0:0:0:0:0:0:1", "DNS:localhost"];

/**
 * The local control plane's TLS material, made once per state folder with `openssl` (ECDSA P-256)
 * and reused by every later `dev up`:
 * - a certificate authority, which kubeconfigs trust;
 * - etcd's serving certificate and the one client certificate etcd accepts (the API servers'),
 *   so that no other local user can read or write etcd;
 * - per cluster, the API server's serving certificate (127.0.0.1, localhost and the in-cluster
 *   names of the `kubernetes` service).
 * Keys are written 0600. A certificate that exists is kept, so tokens, kubeconfigs and running
 * processes stay valid across `dev up`s.
 */
export async function ensureDevPki(paths: DevPaths, clusters: readonly string[]): Promise<void> {
  const pki = paths.pki;
  await mkdir(pki.dir, { recursive: true, mode: 0o700 });
  // A new CA invalidates every certificate the old one signed: they are all issued again.
  const newCa = !existsSync(pki.caCert) || !existsSync(pki.caKey);
  if (newCa) {
    await issue({
      cert: pki.caCert,
      key: pki.caKey,
      subject: "/CN=bindops-dev-ca",
      extensions: ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"],
    });
  }
  const leaf = (usage: string, names: readonly string[]) => [
    "basicConstraints=critical,CA:FALSE",
    "keyUsage=critical,digitalSignature",
    `extendedKeyUsage=${usage}`,
    ...(names.length > 0 ? [`subjectAltName=${names.join(",")}`] : []),
  ];
  const wanted = [
    {
      cert: pki.etcdServerCert,
      key: pki.etcdServerKey,
      subject: "/CN=etcd",
      // etcd also dials its own client URL (the gRPC gateway), with this certificate.
      extensions: leaf("serverAuth,clientAuth", loopback),
    },
    {
      cert: pki.etcdClientCert,
      key: pki.etcdClientKey,
      subject: "/O=system:masters/CN=kube-apiserver-etcd-client",
      extensions: leaf("clientAuth", []),
    },
    ...clusters.map((cluster) => ({
      cert: paths.servingCert(cluster),
      key: paths.servingKey(cluster),
      subject: `/CN=kube-apiserver-${cluster}`,
      extensions: leaf("serverAuth", [
        ...loopback,
        "DNS:kubernetes",
        "DNS:kubernetes.default",
        "DNS:kubernetes.default.svc",
        "DNS:kubernetes.default.svc.cluster.local",
        "IP:10.0.0.1",
      ]),
    })),
  ];
  for (const spec of wanted) {
    if (!newCa && existsSync(spec.cert) && existsSync(spec.key)) continue;
    await issue({ ...spec, ca: { cert: pki.caCert, key: pki.caKey } });
  }
}

interface IssueSpec {
  cert: string;
  key: string;
  subject: string;
  extensions: string[];
  /** Signed by this CA; self-signed without. */
  ca?: { cert: string; key: string };
}

/** One key pair and certificate; written beside their final names first, so a kill leaves none. */
async function issue(spec: IssueSpec): Promise<void> {
  const tmpCert = `${spec.cert}.tmp`;
  const tmpKey = `${spec.key}.tmp`;
  const args = [
    "req",
    "-x509",
    "-new",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-noenc",
    "-sha256",
    "-days",
    String(validDays),
    "-subj",
    spec.subject,
    "-keyout",
    tmpKey,
    "-out",
    tmpCert,
    ...spec.extensions.flatMap((e) => ["-addext", e]),
    ...(spec.ca ? ["-CA", spec.ca.cert, "-CAkey", spec.ca.key] : []),
  ];
  try {
    // openssl creates private key files 0600 itself.
    await run("openssl", args);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    throw new BindopsError(
      "unreachable",
      "dev-pki-failed",
      missing
        ? "openssl is needed to make the local control plane's certificates and is not installed"
        : `openssl could not make ${spec.cert}: ${String((error as { stderr?: string }).stderr ?? error).trim()}`,
      { hint: "install openssl (Debian: apt-get install openssl)", cause: error },
    );
  }
  await rename(tmpKey, spec.key);
  await rename(tmpCert, spec.cert);
}
