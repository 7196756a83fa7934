import assert from "node:assert/strict";
import { Informer } from "../../../src/kube/informer.js";
import type { KubeObject } from "../../../src/kube/kube-client.js";
import type { RestKubeClient } from "../../../src/kube/rest-kube-client.js";
import { captureLogger } from "../../support/capture-logger.js";
import { eventually } from "../../support/eventually.js";

/** Polls a condition until it holds (bounded by `eventually`'s limit). */
const waitFor = (what: string, condition: () => boolean): Promise<true> =>
  eventually(what, () => Promise.resolve(condition() || undefined));
import { FakeKubeClient } from "../../support/fake-kube-client.js";
import { FakeApiServer, clientFor } from "./fake-api-server.js";

const cm = (name: string, data: Record<string, string> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "team" },
  data,
});
const ref = (name: string) => ({ apiVersion: "v1", kind: "ConfigMap", name, namespace: "team" });

describe("Informer over HTTP (against a stand-in server that streams watches)", () => {
  let store: FakeKubeClient;
  let server: FakeApiServer;
  let client: RestKubeClient;
  let informer: Informer;
  let log: ReturnType<typeof captureLogger>;
  let events: string[];

  beforeEach(async () => {
    store = new FakeKubeClient();
    server = new FakeApiServer();
    server.serveConfigMaps(store);
    client = clientFor(await server.start());
    log = captureLogger();
    events = [];
    informer = new Informer({
      client,
      query: { apiVersion: "v1", kind: "ConfigMap", namespace: "team" },
      logger: log.logger,
      backoff: { initialMs: 5, maxMs: 50 },
      idleTimeoutMs: 400,
    });
    informer.addEventHandler({
      onAdd: (o) => events.push(`add ${o.metadata.name}`),
      onUpdate: (_old, o) => events.push(`update ${o.metadata.name}`),
      onDelete: (o) => events.push(`delete ${o.metadata.name}`),
    });
  });
  afterEach(async () => {
    await informer.stop();
    client.close();
    await server.stop();
  });

  const watching = () => waitFor("a watch is open", () => server.openWatches === 1);
  const seen = (event: string) => waitFor(event, () => events.includes(event));

  it("lists and watches with bookmarks from the list's resourceVersion", async () => {
    store.seed(cm("a"));
    informer.start();
    await informer.waitForSync();
    await watching();
    await store.create(cm("b"));
    await seen("add b");
    const watch = server.seen.find((s) => s.url.searchParams.get("watch") === "1")!;
    assert.equal(watch.url.searchParams.get("allowWatchBookmarks"), "true");
    assert.equal(watch.url.searchParams.get("resourceVersion"), "2");
    assert.ok(Number(watch.url.searchParams.get("timeoutSeconds")) >= 300);
  });

  it("resumes after the connection is cut, from its resourceVersion, missing nothing", async () => {
    informer.start();
    await informer.waitForSync();
    await watching();
    server.cutConnections();
    await store.create(cm("while-cut"));
    await seen("add while-cut");
    assert.equal(informer.stats().lists, 1);
    assert.ok(informer.stats().failures >= 1);
    assert.ok(log.records.some((r) => r.msg === "watch failed; retrying"));
  });

  it("relists on an HTTP 410 and on an ERROR event with code 410, delivering only differences", async () => {
    store.seed(cm("keep"));
    store.seed(cm("drop"));
    informer.start();
    await informer.waitForSync();
    await watching();
    store.freezeWatches();
    await store.delete(ref("drop"));
    await store.create(cm("new"));
    store.compact();
    events.length = 0;
    server.cutConnections();
    await waitFor("relisted", () => informer.stats().relists === 1);
    assert.deepEqual(events.sort(), ["add new", "delete drop"]);
    await watching();
    store.expireWatches();
    await waitFor("relisted again", () => informer.stats().relists === 2);
    assert.deepEqual(events.sort(), ["add new", "delete drop"], "nothing changed, nothing sent");
  });

  it("notices a frozen connection through the idle timeout and watches again", async () => {
    informer.start();
    await informer.waitForSync();
    await watching();
    store.freezeWatches();
    await store.create(cm("behind-the-freeze"));
    await seen("add behind-the-freeze");
    assert.equal(informer.stats().idleRestarts, 1);
    assert.equal(informer.stats().lists, 1);
  });

  it("keeps retrying while the server is gone, and recovers when it is back", async () => {
    informer.start();
    await informer.waitForSync();
    await watching();
    const port = new URL(client.server).port;
    await server.stop();
    await waitFor("a few failures", () => informer.stats().failures >= 3);
    server = new FakeApiServer();
    server.serveConfigMaps(store);
    await server.start(Number(port));
    await store.create(cm("after"));
    await seen("add after");
    assert.equal(informer.stats().lists, 1);
  });

  it("stops with no error logged, no open watch, and the server sees the connection go", async () => {
    informer.start();
    await informer.waitForSync();
    await watching();
    await informer.stop();
    await waitFor("the watch closed", () => server.openWatches === 0);
    assert.deepEqual(
      log.records.filter((r) => r.level >= 40),
      [],
    );
  });
});
