import assert from "node:assert/strict";
import { checkWorkloads } from "../../../src/checks/index.js";
import { quantityValue } from "../../../src/checks/check-workloads.js";
import { typeMetaOf } from "../../../src/core/manifest.js";
import { doc } from "./fixtures.js";

const check = (value: Record<string, unknown>) =>
  checkWorkloads(doc("w.yaml", value), typeMetaOf(value)).map((f) => [f.rule, f.location.pointer]);

const container = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  image: "nginx",
  ...extra,
});

describe("checkWorkloads: the API server's checks of pods and Services", () => {
  it("a healthy Deployment, Job and Service pass", () => {
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: {
        selector: {
          matchLabels: { app: "web" },
          matchExpressions: [{ key: "tier", operator: "In", values: ["front"] }],
        },
        template: {
          metadata: { labels: { app: "web", tier: "front" } },
          spec: {
            initContainers: [container("init")],
            containers: [
              container("web", {
                ports: [{ name: "http", containerPort: 8080 }, { containerPort: 9090 }],
                readinessProbe: { httpGet: { path: "/", port: "http" } },
                livenessProbe: { tcpSocket: { port: 8080 } },
                volumeMounts: [{ name: "data", mountPath: "/d" }],
                resources: {
                  requests: { cpu: "500m", memory: "1Gi" },
                  limits: { cpu: 1, memory: "1.5Gi" },
                },
              }),
            ],
            volumes: [{ name: "data", emptyDir: {} }],
          },
        },
      },
    };
    const job = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "j" },
      spec: { template: { spec: { restartPolicy: "Never", containers: [container("j")] } } },
    };
    const service = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web" },
      spec: {
        ports: [
          { name: "http", port: 80, targetPort: "http" },
          { name: "dns", port: 53, protocol: "UDP", targetPort: 5353 },
          { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 5353 },
        ],
      },
    };
    assert.deepEqual([...check(deployment), ...check(job), ...check(service)], []);
  });

  it("reports what the API server refuses, where it is", () => {
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: {
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "website" } },
          spec: {
            restartPolicy: "OnFailure",
            initContainers: [container("web")],
            containers: [
              container("web", {
                ports: [
                  { name: "8080", containerPort: 8080 },
                  { name: "metrics-port-long", containerPort: 70000 },
                ],
                readinessProbe: { httpGet: { path: "/", port: "8080" } },
                volumeMounts: [{ name: "cache", mountPath: "/c" }],
                resources: { requests: { cpu: "2", memory: "512MB" }, limits: { cpu: "1500m" } },
              }),
            ],
            volumes: [
              { name: "data", emptyDir: {} },
              { name: "data", emptyDir: {} },
            ],
          },
        },
      },
    };
    const c = "/spec/template/spec/containers/0";
    assert.deepEqual(check(deployment), [
      ["restart-policy", "/spec/template/spec/restartPolicy"],
      ["volume-mismatch", "/spec/template/spec/volumes/1/name"],
      ["duplicate-container-name", `${c}/name`],
      ["invalid-port", `${c}/ports/0/name`],
      ["invalid-port", `${c}/ports/1/name`],
      ["invalid-port", `${c}/ports/1/containerPort`],
      ["invalid-port", `${c}/readinessProbe/httpGet/port`],
      ["volume-mismatch", `${c}/volumeMounts/0/name`],
      ["invalid-resources", `${c}/resources/requests/memory`],
      ["invalid-resources", `${c}/resources/requests/cpu`],
      ["selector-mismatch", "/spec/selector"],
    ]);
    const cronJob = {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "c" },
      spec: { jobTemplate: { spec: { template: { spec: { containers: [container("c")] } } } } },
    };
    assert.deepEqual(check(cronJob), [["restart-policy", "/spec/jobTemplate/spec/template/spec"]]);
    const service = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web" },
      spec: {
        ports: [
          { port: 80, targetPort: "8080" },
          { name: "Web", port: 443 },
          { name: "b", port: 80 },
          { name: "b", port: 81 },
        ],
      },
    };
    assert.deepEqual(check(service), [
      ["invalid-port", "/spec/ports/0"],
      ["invalid-port", "/spec/ports/0/targetPort"],
      ["invalid-port", "/spec/ports/1/name"],
      ["invalid-port", "/spec/ports/2/port"],
      ["invalid-port", "/spec/ports/3/name"],
    ]);
  });

  it("reads quantities as the API server does", () => {
    assert.equal(quantityValue("100m"), 0.1);
    assert.equal(quantityValue("1Ki"), 1024);
    assert.equal(quantityValue("1.5G"), 1.5e9);
    assert.equal(quantityValue("1e3"), 1000);
    assert.equal(quantityValue(2), 2);
    assert.equal(quantityValue("512MB"), undefined);
    assert.equal(quantityValue("1 Gi"), undefined);
  });
});
