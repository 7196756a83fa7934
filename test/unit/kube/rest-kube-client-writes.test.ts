import assert from "node:assert/strict";
import type { KubeObject, WatchEvent } from "../../../src/kube/kube-client.js";
import { KubeError, isKubeError } from "../../../src/kube/kube-error.js";
import type { RestKubeClient } from "../../../src/kube/rest-kube-client.js";
import { retryOnConflict } from "../../../src/kube/retry-on-conflict.js";
import { FakeApiServer, clientFor, json, status } from "./fake-api-server.js";

const configMap = (rv?: string): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "settings", namespace: "team", ...(rv ? { resourceVersion: rv } : {}) },
  data: { color: "blue" },
});
const ref = { apiVersion: "v1", kind: "ConfigMap", name: "settings", namespace: "team" };

describe("RestKubeClient writes and watch (against a stand-in server)", () => {
  let fake: FakeApiServer;
  let client: RestKubeClient;

  beforeEach(async () => {
    fake = new FakeApiServer();
    client = clientFor(await fake.start());
  });
  afterEach(async () => {
    client.close();
    await fake.stop();
  });

  it("creates with a POST to the collection, in the context's namespace when none is named", async () => {
    fake.handler = (req, res) => json(res, 201, JSON.parse(req.body) as unknown);
    const object = configMap("3");
    delete object.metadata.namespace;
    const created = await client.create(object);
    const [req] = fake.requests("/api/v1/namespaces/team/configmaps");
    assert.equal(req?.method, "POST");
    assert.equal((JSON.parse(req.body) as KubeObject).metadata.resourceVersion, undefined);
    assert.equal(req?.url.searchParams.get("fieldManager"), "bindops");
    assert.equal(created.metadata.namespace, "team");
  });

  it("updates with a PUT carrying the resourceVersion, and reports a 409 as Conflict", async () => {
    fake.handler = (_req, res) =>
      json(res, 409, status(409, "Conflict", "the object has been modified"));
    await assert.rejects(client.update(configMap("7")), (e: unknown) => {
      assert.ok(isKubeError(e, "Conflict"));
      assert.equal(e.reason, "Conflict");
      return true;
    });
    const [req] = fake.requests("/api/v1/namespaces/team/configmaps/settings");
    assert.equal(req?.method, "PUT");
    assert.equal((JSON.parse(req.body) as KubeObject).metadata.resourceVersion, "7");
  });

  it("patches as a JSON merge patch, and writes status through the subresource", async () => {
    fake.handler = (_req, res) => json(res, 200, configMap("8"));
    await client.patch(ref, { data: { color: null } });
    await client.patchStatus(
      { apiVersion: "v1", kind: "Namespace", name: "team" },
      { status: { phase: "Active" } },
    );
    await client.updateStatus({ ...configMap("8"), status: { ok: true } });
    const [patch] = fake.requests("/api/v1/namespaces/team/configmaps/settings");
    assert.equal(patch?.method, "PATCH");
    assert.equal(patch?.headers["content-type"], "application/merge-patch+json");
    assert.deepEqual(JSON.parse(patch.body), { data: { color: null } });
    const [patchStatus] = fake.requests("/api/v1/namespaces/team/status");
    assert.equal(patchStatus?.method, "PATCH");
    assert.equal(patchStatus?.headers["content-type"], "application/merge-patch+json");
    const [put] = fake.requests("/api/v1/namespaces/team/configmaps/settings/status");
    assert.equal(put?.method, "PUT");
  });

  it("watches with bookmarks from a resourceVersion and yields each line as an event", async () => {
    fake.handler = (_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write(JSON.stringify({ type: "ADDED", object: configMap("5") }) + "\n");
      // An event split across chunks is joined before it is parsed.
      const line = JSON.stringify({
        type: "BOOKMARK",
        object: { metadata: { resourceVersion: "9" } },
      });
      res.write(line.slice(0, 10));
      setTimeout(() => res.end(line.slice(10) + "\n"), 5);
    };
    const events: WatchEvent[] = [];
    for await (const event of client.watch({ ...ref, resourceVersion: "4", timeoutSeconds: 30 })) {
      events.push(event);
    }
    assert.deepEqual(
      events.map((e) => [e.type, e.object.metadata.resourceVersion, e.object.kind]),
      [
        ["ADDED", "5", "ConfigMap"],
        ["BOOKMARK", "9", "ConfigMap"],
      ],
    );
    const [req] = fake.requests("/api/v1/namespaces/team/configmaps");
    assert.equal(req?.url.searchParams.get("watch"), "1");
    assert.equal(req?.url.searchParams.get("allowWatchBookmarks"), "true");
    assert.equal(req?.url.searchParams.get("resourceVersion"), "4");
    assert.equal(req?.url.searchParams.get("timeoutSeconds"), "30");
  });

  it("fails a watch with Gone for an HTTP 410 and for an ERROR event with code 410", async () => {
    fake.handler = (_req, res) =>
      json(res, 410, status(410, "Expired", "too old resource version"));
    await assert.rejects(drain(client.watch({ ...ref, resourceVersion: "1" })), isGone);
    fake.handler = (_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(
        JSON.stringify({
          type: "ERROR",
          object: status(410, "Expired", "too old resource version"),
        }) + "\n",
      );
    };
    await assert.rejects(drain(client.watch({ ...ref, resourceVersion: "1" })), isGone);
  });

  it("fails a watch whose connection is cut with Unreachable", async () => {
    fake.handler = (_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write(JSON.stringify({ type: "ADDED", object: configMap("5") }) + "\n");
      setTimeout(() => res.socket?.destroy(), 5);
    };
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const e of client.watch({ ...ref, resourceVersion: "1" })) seen.push(e.type);
      })(),
      (e: unknown) => isKubeError(e, "Unreachable"),
    );
    assert.deepEqual(seen, ["ADDED"]);
  });

  it("ends a watch with the caller's reason when the caller aborts", async () => {
    fake.handler = (_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write(JSON.stringify({ type: "ADDED", object: configMap("5") }) + "\n");
    };
    const controller = new AbortController();
    const reason = new Error("stopping");
    await assert.rejects(
      (async () => {
        for await (const _ of client.watch({ ...ref, resourceVersion: "1" }, controller)) {
          controller.abort(reason);
        }
      })(),
      (e: unknown) => e === reason,
    );
  });

  it("fails a watch whose headers never come with Timeout, and closes a watch left early", async () => {
    const slow = clientFor(client.server, { requestTimeoutMs: 100 });
    fake.handler = () => undefined;
    await assert.rejects(drain(slow.watch({ ...ref, resourceVersion: "1" })), (e: unknown) =>
      isKubeError(e, "Timeout"),
    );
    slow.close();
    let closed!: () => void;
    const serverSawClose = new Promise<void>((resolve) => (closed = resolve));
    fake.handler = (_req, res) => {
      res.on("close", closed);
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write(JSON.stringify({ type: "ADDED", object: configMap("5") }) + "\n");
    };
    for await (const _ of client.watch({ ...ref, resourceVersion: "1" })) break;
    await serverSawClose;
  });

  it("retries on Conflict, re-reading each time, and gives up after the last attempt", async () => {
    let puts = 0;
    fake.handler = (req, res) => {
      if (req.method === "GET") return json(res, 200, configMap(String(10 + puts)));
      puts += 1;
      if (puts < 3) return json(res, 409, status(409, "Conflict", "modified"));
      return json(res, 200, JSON.parse(req.body) as unknown);
    };
    const attempts: number[] = [];
    const result = await retryOnConflict(async (attempt) => {
      attempts.push(attempt);
      const current = await client.get(ref);
      return client.update({ ...current, data: { color: "green" } });
    });
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.equal(result.metadata.resourceVersion, "12", "the last attempt used the fresh read");

    fake.handler = (_req, res) => json(res, 409, status(409, "Conflict", "modified"));
    let calls = 0;
    await assert.rejects(
      retryOnConflict(
        () => {
          calls += 1;
          return client.update(configMap("1"));
        },
        { attempts: 2 },
      ),
      (e: unknown) => isKubeError(e, "Conflict"),
    );
    assert.equal(calls, 2);
  });

  it("does not retry what a fresh read cannot fix", async () => {
    let calls = 0;
    const exists = new KubeError("Conflict", "exists", { status: 409, reason: "AlreadyExists" });
    await assert.rejects(
      retryOnConflict(() => {
        calls += 1;
        return Promise.reject(exists);
      }),
      (e: unknown) => e === exists,
    );
    assert.equal(calls, 1);
  });
});

async function drain(events: AsyncIterable<WatchEvent>): Promise<void> {
  for await (const _ of events) {
    // nothing
  }
}

function isGone(e: unknown): boolean {
  return isKubeError(e, "Gone");
}
