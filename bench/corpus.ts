/**
 * The repository the benchmarks generate: the examples' bindops.yaml, provider and policies, plus
 * consumers' files of ServiceBindings, APIServiceExportRequests, ConfigMaps and custom resources
 * of the examples' database API. Shared by bench/validate.ts and bench/review.ts.
 */
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** A repository that validates cleanly: the examples' provider and policies, plus generated consumers. */
export function generateCorpus(dir: string, documentCount: number, fileCount: number): void {
  const marker = path.join(dir, ".complete");
  if (existsSync(marker)) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const examples = path.join(repoRoot, "examples");
  cpSync(path.join(examples, "bindops.yaml"), path.join(dir, "bindops.yaml"));
  cpSync(path.join(examples, "providers"), path.join(dir, "providers"), { recursive: true });
  cpSync(path.join(examples, "policies"), path.join(dir, "policies"), { recursive: true });

  let written = 0;
  for (let f = 0; f < fileCount; f++) {
    const perFile = Math.floor(documentCount / fileCount) + (f < documentCount % fileCount ? 1 : 0);
    const team = `team-${String(f % 50).padStart(2, "0")}`;
    const parts: string[] = [];
    for (let d = 0; d < perFile; d++) parts.push(documentFor(written++, team));
    const sub = f % 10 === 0 ? "bindings" : "workloads";
    const file = path.join(dir, "consumers", team, sub, `file-${f}.yaml`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, parts.join("---\n"));
  }
  writeFileSync(marker, "");
}

function documentFor(i: number, team: string): string {
  const ns = `${team}-apps`;
  switch (i % 10) {
    case 0:
      return `apiVersion: bindops.dev/v1alpha1
kind: ServiceBinding
metadata:
  name: db-${i}
spec:
  consumer: consumer
  provider: provider
  template: databases
  isolation: Prefixed
  namespaces:
    - name: ${ns}
  permissionClaims:
    - group: ""
      resource: secrets
      selector:
        labelSelector:
          matchLabels:
            app: ${team}
            dbaas.example.com/credentials: "true"
      direction: Both
`;
    case 1:
      return `apiVersion: kube-bind.io/v1alpha2
kind: APIServiceExportRequest
metadata:
  name: request-${i}
  namespace: kube-bind-${team}
spec:
  resources:
    - group: dbaas.example.com
      resource: postgresclusters
      versions: [v1alpha1]
  permissionClaims:
    - group: ""
      resource: secrets
      selector:
        labelSelector:
          matchLabels:
            app: ${team}
`;
    case 2:
    case 3:
      return `apiVersion: v1
kind: ConfigMap
metadata:
  name: init-${i}
  namespace: ${ns}
  labels:
    app: ${team}
    dbaas.example.com/init-script: "true"
data:
  init.sql: |
    CREATE TABLE IF NOT EXISTS orders_${i} (id bigint primary key, created timestamptz not null);
    CREATE INDEX IF NOT EXISTS orders_${i}_created ON orders_${i} (created);
`;
    case 4:
    case 5:
      return `apiVersion: dbaas.example.com/v1alpha1
kind: PostgresBackup
metadata:
  name: backup-${i}
  namespace: ${ns}
spec:
  clusterRef:
    name: pg-${i - 4}
`;
    default:
      return `apiVersion: dbaas.example.com/v1alpha1
kind: PostgresCluster
metadata:
  name: pg-${i}
  namespace: ${ns}
  labels:
    app.kubernetes.io/name: pg-${i}
    app.kubernetes.io/part-of: ${team}
spec:
  version: "16"
  instances: 3
  storage:
    size: 20Gi
    storageClassName: fast-ssd
  backup:
    schedule: "0 3 * * *"
    retention: 14d
  credentialsSecretRef:
    name: pg-${i}-credentials
  connectionSecretName: pg-${i}-connection
  parameters:
    max_connections: "200"
    shared_buffers: 256MB
  databases:
    - name: app
      owner: app
    - name: reporting
      owner: reporting
`;
  }
}
