import assert from "node:assert/strict";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { KubeError } from "../../../src/kube/kube-error.js";
import type { RestKubeClient } from "../../../src/kube/rest-kube-client.js";
import { FakeApiServer, clientFor, json, status } from "./fake-api-server.js";

const settings = { apiVersion: "v1", kind: "ConfigMap", name: "settings", namespace: "team" };

describe("RestKubeClient (against a stand-in server)", () => {
  let fake: FakeApiServer;
  let url: string;
  let client: RestKubeClient;

  beforeEach(async () => {
    fake = new FakeApiServer();
    url = await fake.start();
    client = clientFor(url);
  });
  afterEach(async () => {
    client.close();
    await fake.stop();
  });

  const statusCases: [number, string, string, "invalid" | "unreachable", number][] = [
    [401, "Unauthorized", "Unauthorized", "unreachable", 4],
    [403, "Forbidden", "Forbidden", "unreachable", 4],
    [404, "NotFound", "NotFound", "unreachable", 4],
    [409, "AlreadyExists", "Conflict", "unreachable", 4],
    [410, "Expired", "Gone", "unreachable", 4],
    [422, "Invalid", "Invalid", "invalid", 2],
    [504, "Timeout", "Timeout", "unreachable", 4],
    [503, "ServiceUnavailable", "Unknown", "unreachable", 4],
  ];
  for (const [code, reason, expected, kind, exit] of statusCases) {
    it(`turns HTTP ${code} into ${expected} (exit ${exit})`, async () => {
      fake.handler = (_req, res) => json(res, code, status(code, reason, `server says ${reason}`));
      await assert.rejects(client.get(settings), (e: unknown) => {
        assert.ok(e instanceof KubeError);
        assert.equal(e.code, expected);
        assert.equal(e.kind, kind);
        assert.equal(e.exitCode, exit);
        assert.equal(e.status, code);
        assert.equal(e.reason, reason);
        assert.equal(e.serverMessage, `server says ${reason}`);
        if (code !== 401) assert.match(e.message, new RegExp(`server says ${reason}`));
        return true;
      });
    });
  }

  it("reports an apply the old server cannot type (its 500) as Invalid", async () => {
    fake.handler = (_req, res) =>
      json(res, 500, {
        kind: "Status",
        code: 500,
        message:
          "failed to create typed patch object: .spec.selectableFields: field not declared in schema",
      });
    await assert.rejects(
      client.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } }),
      (e: unknown) => e instanceof KubeError && e.code === "Invalid" && e.exitCode === 2,
    );
  });

  it("sends the token and reads an object at its namespaced path", async () => {
    fake.handler = (_req, res) =>
      json(res, 200, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" } });
    const got = await client.get(settings);
    assert.equal(got.metadata.name, "settings");
    const [req] = fake.requests("/api/v1/namespaces/team/configmaps/settings");
    assert.equal(req?.headers.authorization, "Bearer t0ken");
  });

  it("uses the context's namespace for a namespaced object that names none", async () => {
    fake.handler = (_req, res) => json(res, 200, {});
    await client.get({ apiVersion: "v1", kind: "ConfigMap", name: "settings" });
    assert.equal(fake.requests("/api/v1/namespaces/team/configmaps/settings").length, 1);
    await client.get({ apiVersion: "v1", kind: "Namespace", name: "team", namespace: "ignored" });
    assert.equal(fake.requests("/api/v1/namespaces/team").length, 1);
  });

  it("applies server-side as bindops, forcing only when asked, without managedFields", async () => {
    fake.handler = (req, res) => json(res, 200, JSON.parse(req.body) as unknown);
    const object = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings", namespace: "team", managedFields: [{ manager: "kubectl" }] },
      data: { a: "1" },
    };
    await client.apply(object);
    await client.apply(object, { force: true, dryRun: true });
    const [plain, forced] = fake.requests("/api/v1/namespaces/team/configmaps/settings");
    assert.equal(plain?.method, "PATCH");
    assert.equal(plain?.headers["content-type"], "application/apply-patch+yaml");
    assert.equal(plain?.url.searchParams.get("fieldManager"), "bindops");
    assert.equal(plain?.url.searchParams.has("force"), false);
    assert.deepEqual(JSON.parse(plain?.body ?? ""), {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings", namespace: "team" },
      data: { a: "1" },
    });
    assert.equal(forced?.url.searchParams.get("force"), "true");
    assert.equal(forced?.url.searchParams.get("dryRun"), "All");
  });

  it("lists every page, with kind and apiVersion on each item and the selector as a string", async () => {
    fake.handler = (req, res) => {
      const page = req.url.searchParams.get("continue");
      json(res, 200, {
        kind: "ConfigMapList",
        metadata: page ? { resourceVersion: "42" } : { resourceVersion: "41", continue: "next" },
        items: [{ metadata: { name: page ? "b" : "a", namespace: "team" } }],
      });
    };
    const list = await client.list({
      apiVersion: "v1",
      kind: "ConfigMap",
      labelSelector: { app: "web", tier: "front" },
    });
    assert.deepEqual(
      list.items.map((i) => [i.kind, i.apiVersion, i.metadata.name]),
      [
        ["ConfigMap", "v1", "a"],
        ["ConfigMap", "v1", "b"],
      ],
    );
    assert.equal(list.resourceVersion, "42");
    const [first] = fake.requests("/api/v1/configmaps");
    assert.equal(first?.url.searchParams.get("labelSelector"), "app=web,tier=front");
  });

  it("deletes in the background by default", async () => {
    fake.handler = (_req, res) => json(res, 200, { kind: "Status", status: "Success" });
    await client.delete(settings);
    const [req] = fake.requests("/api/v1/namespaces/team/configmaps/settings");
    assert.equal(req?.method, "DELETE");
    assert.equal(
      (JSON.parse(req?.body ?? "{}") as { propagationPolicy: string }).propagationPolicy,
      "Background",
    );
  });

  it("reads /version once", async () => {
    const [a, b] = await Promise.all([client.serverVersion(), client.serverVersion()]);
    await client.serverVersion();
    assert.equal(a.minor, 20);
    assert.equal(b.gitVersion, "v1.20.2");
    assert.equal(fake.requests("/version").length, 1);
  });

  it("says a kind is not served, after looking once more in case its CRD just arrived", async () => {
    let served = false;
    fake.handler = (req, res) => {
      if (req.url.pathname === "/apis/example.com/v1") {
        json(res, 200, {
          resources: served ? [{ name: "widgets", kind: "Widget", namespaced: false }] : [],
        });
      } else {
        json(res, 200, { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } });
      }
    };
    const widget = { apiVersion: "example.com/v1", kind: "Widget", name: "w" };
    await assert.rejects(client.get(widget), (e: unknown) => {
      assert.ok(e instanceof KubeError);
      assert.equal(e.code, "NotFound");
      assert.equal(e.reason, "UnknownKind");
      assert.match(e.message, /does not serve kind Widget in example\.com\/v1/);
      assert.match(e.hint ?? "", /CustomResourceDefinition/);
      return true;
    });
    served = true;
    const got = await client.get(widget);
    assert.equal(got.metadata.name, "w");
    assert.equal(fake.requests("/apis/example.com/widgets/w").length, 0);
    assert.equal(fake.requests("/apis/example.com/v1/widgets/w").length, 1);
  });

  it("gives up on a server that does not answer with a Timeout naming it", async () => {
    const slow = clientFor(url, { requestTimeoutMs: 200 });
    fake.handler = () => undefined; // never answers
    try {
      await assert.rejects(slow.get(settings), (e: unknown) => {
        assert.ok(e instanceof KubeError);
        assert.equal(e.code, "Timeout");
        assert.equal(e.exitCode, 4);
        assert.ok(e.message.includes(url), e.message);
        assert.match(e.message, /within 200ms/);
        return true;
      });
    } finally {
      slow.close();
    }
  });

  it("stops when the caller aborts, with the caller's reason rather than a cluster error", async () => {
    fake.handler = () => undefined;
    const controller = new AbortController();
    const pending = client.get(settings, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("shutting down")), 50);
    await assert.rejects(pending, /shutting down/);
  });

  it("names the server URL when nothing listens there", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const offline = clientFor(closed);
    await assert.rejects(offline.serverVersion(), (e: unknown) => {
      assert.ok(e instanceof KubeError);
      assert.equal(e.code, "Unreachable");
      assert.equal(e.kind, "unreachable");
      assert.equal(e.exitCode, 4);
      assert.ok(e.message.includes(closed), e.message);
      assert.match(e.message, /connection refused/);
      return true;
    });
  });
});

async function freePort(): Promise<number> {
  const server = http.createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, "close");
  return port;
}
