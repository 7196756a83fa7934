import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { pino } from "pino";
import {
  startEndpoints,
  validSignature,
  type PushEvent,
  type RunningEndpoints,
} from "../../../src/server/http-endpoints.js";
import { BindopsMetrics } from "../../../src/server/metrics.js";
import { WorkQueue } from "../../../src/kube/work-queue.js";
import { countSyncWrite } from "../../../src/sync/sync-writes.js";

const logger = pino({ level: "silent" });
const secret = "s3cret-for-tests";
const sign = (body: string, key = secret) =>
  `sha256=${createHmac("sha256", key).update(body).digest("hex")}`;

describe("server endpoints: health, readiness, metrics and the GitHub webhook", () => {
  let endpoints: RunningEndpoints;
  let ready = false;
  const pushes: PushEvent[] = [];
  const metrics = new BindopsMetrics();
  const url = (addr: string | undefined, path: string) =>
    `http://127.0.0.1${addr!.slice(addr!.lastIndexOf(":"))}${path}`;

  before(async () => {
    endpoints = await startEndpoints({
      healthAddr: "127.0.0.1:0",
      metricsAddr: "127.0.0.1:0",
      webhookAddr: "127.0.0.1:0",
      live: () => true,
      ready: () => ready,
      metrics,
      webhook: { secret, branch: "main", onPush: (e) => pushes.push(e) },
      logger,
    });
  });
  after(() => endpoints.close());

  it("answers /healthz, and /readyz only once the first revision is applied", async () => {
    assert.equal((await fetch(url(endpoints.addresses.health, "/healthz"))).status, 200);
    const notReady = await fetch(url(endpoints.addresses.health, "/readyz"));
    assert.equal(notReady.status, 503);
    assert.match(await notReady.text(), /first revision/);
    ready = true;
    assert.equal((await fetch(url(endpoints.addresses.health, "/readyz"))).status, 200);
  });

  it("serves Prometheus metrics named as controller-runtime and Flux name theirs", async () => {
    const queue = new WorkQueue({ name: "konnector-test", logger });
    queue.add("a");
    queue.add("b");
    metrics.recordReconcile("success", 1.5, [
      { consumer: "c", binding: "orders-db", ready: "True" },
    ]);
    metrics.recordRevision("abc123");
    // Kinds of this test alone: the counts are the process's, and other tests sync objects too.
    countSyncWrite("up", "MetricsTestWidget");
    countSyncWrite("up", "MetricsTestWidget");
    countSyncWrite("down", "MetricsTestSecret");
    const response = await fetch(url(endpoints.addresses.metrics, "/metrics"));
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /text\/plain/);
    const body = await response.text();
    assert.match(
      body,
      /controller_runtime_reconcile_total\{controller="bindops-run",result="success"\} 1/,
    );
    assert.match(body, /controller_runtime_reconcile_time_seconds_bucket/);
    assert.match(body, /workqueue_depth\{name="konnector-test"\} 2/);
    assert.match(
      body,
      /gotk_reconcile_condition\{kind="ServiceBinding",name="orders-db",namespace="c",type="Ready",status="True"\} 1/,
    );
    assert.match(body, /bindops_applied_revision_info\{revision="abc123"\} 1/);
    assert.match(body, /process_resident_memory_bytes/);
    assert.match(body, /bindops_sync_objects_total\{direction="up",kind="MetricsTestWidget"\} 2/);
    assert.match(body, /bindops_sync_objects_total\{direction="down",kind="MetricsTestSecret"\} 1/);
    await queue.shutdown();
    assert.doesNotMatch(
      await (await fetch(url(endpoints.addresses.metrics, "/metrics"))).text(),
      /name="konnector-test"/,
    );
  });

  const post = (body: string, headers: Record<string, string>) =>
    fetch(url(endpoints.addresses.webhook, "/webhook/github"), { method: "POST", body, headers });

  it("triggers a fetch on a signed push to the followed branch", async () => {
    const body = JSON.stringify({ ref: "refs/heads/main", after: "f00d" });
    const response = await post(body, {
      "x-github-event": "push",
      "x-hub-signature-256": sign(body),
    });
    assert.equal(response.status, 202);
    assert.deepEqual(pushes.at(-1), { ref: "refs/heads/main", after: "f00d" });
  });

  it("refuses a forged or unsigned payload with 401 and triggers nothing", async () => {
    const before = pushes.length;
    const body = JSON.stringify({ ref: "refs/heads/main" });
    assert.equal(
      (await post(body, { "x-github-event": "push", "x-hub-signature-256": sign(body, "wrong") }))
        .status,
      401,
    );
    assert.equal((await post(body, { "x-github-event": "push" })).status, 401);
    assert.equal(
      (await post(body, { "x-github-event": "push", "x-hub-signature-256": "sha256=00" })).status,
      401,
    );
    assert.equal(pushes.length, before);
  });

  it("ignores other events and other branches", async () => {
    const before = pushes.length;
    const other = JSON.stringify({ ref: "refs/heads/feature" });
    assert.equal(
      (await post(other, { "x-github-event": "push", "x-hub-signature-256": sign(other) })).status,
      202,
    );
    const issue = JSON.stringify({ action: "opened" });
    assert.equal(
      (await post(issue, { "x-github-event": "issues", "x-hub-signature-256": sign(issue) }))
        .status,
      202,
    );
    assert.equal(pushes.length, before);
  });

  it("checks signatures in constant time over the exact bytes", () => {
    const body = Buffer.from('{"ref":"refs/heads/main"}');
    assert.equal(validSignature(body, sign(body.toString()), secret), true);
    assert.equal(
      validSignature(Buffer.from(`${body.toString()} `), sign(body.toString()), secret),
      false,
    );
  });
});
