/**
 * The informer and work-queue benchmark, in memory (the fake KubeClient of the engine tests), so it
 * measures bindops's own cost, not a server's:
 *
 *   sync        list N ConfigMaps into an informer's cache and reconcile each once
 *   events      M updates through informer → controller → a no-op reconcile (events per second)
 *   queue       K keys through a work queue with 1, 10 and 100 workers (keys per second)
 *
 * Run with `node --import tsx bench/informer.ts --objects 5000 --updates 20000`.
 */
import { parseArgs } from "node:util";
import { pino } from "pino";
import { Controller } from "../src/kube/controller.js";
import { Informer } from "../src/kube/informer.js";
import { WorkQueue } from "../src/kube/work-queue.js";
import { FakeKubeClient } from "../test/support/fake-kube-client.js";

const { values } = parseArgs({
  options: {
    objects: { type: "string", default: "5000" },
    updates: { type: "string", default: "20000" },
    keys: { type: "string", default: "20000" },
  },
});
const objects = Number(values.objects);
const updates = Number(values.updates);
const keys = Number(values.keys);
const logger = pino({ level: "silent" });

const kube = new FakeKubeClient();
for (let i = 0; i < objects; i++) {
  kube.seed({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `cm-${i}`, namespace: `ns-${i % 50}`, labels: { app: "bench" } },
    data: { value: "x".repeat(200) },
  });
}

let started = performance.now();
const informer = new Informer({
  client: kube,
  query: { apiVersion: "v1", kind: "ConfigMap" },
  logger,
});
let reconciled = 0;
const controller = new Controller({
  name: "bench",
  logger,
  sources: [{ informer }],
  workers: 4,
  queue: new WorkQueue({ name: "bench", logger }),
  reconcile: () => {
    reconciled += 1;
    return Promise.resolve();
  },
});
await controller.start();
const syncMs = performance.now() - started;
console.log(`sync    ${objects} objects in ${syncMs.toFixed(0)} ms`);

while (kube.openWatches === 0) await new Promise((r) => setImmediate(r));
const baseline = informer.stats().events;
started = performance.now();
for (let i = 0; i < updates; i++) {
  await kube.patch(
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      name: `cm-${i % objects}`,
      namespace: `ns-${(i % objects) % 50}`,
    },
    { data: { value: String(i) } },
  );
}
while (informer.stats().events - baseline < updates) await new Promise((r) => setImmediate(r));
const eventsMs = performance.now() - started;
console.log(
  `events  ${updates} updates in ${eventsMs.toFixed(0)} ms: ${Math.round((updates / eventsMs) * 1000)}/s ` +
    `(${reconciled} reconciles in all: a key updated while queued is reconciled once)`,
);
await controller.stop();

for (const workers of [1, 10, 100]) {
  const queue = new WorkQueue({ name: `bench-${workers}`, logger });
  let done = 0;
  const running = queue.process(
    async () => {
      done += 1;
      await new Promise((r) => setImmediate(r));
    },
    { workers },
  );
  started = performance.now();
  for (let i = 0; i < keys; i++) queue.add(`key-${i}`);
  while (done < keys) await new Promise((r) => setImmediate(r));
  const ms = performance.now() - started;
  await queue.shutdown();
  await running;
  console.log(`queue   ${keys} keys, ${workers} workers: ${Math.round((keys / ms) * 1000)}/s`);
}
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
