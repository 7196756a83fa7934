import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { pino } from "pino";
import { installCrd } from "../../../src/kube/install-crd.js";
import { KubeError } from "../../../src/kube/kube-error.js";
import type { RestKubeClient } from "../../../src/kube/rest-kube-client.js";
import { FakeApiServer, clientFor, json } from "./fake-api-server.js";

const crdPath = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com";

function widgetsCrd() {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.com" },
    spec: {
      group: "example.com",
      scope: "Namespaced",
      names: { plural: "widgets", kind: "Widget" },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: "object" } },
        },
      ],
    },
  };
}

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: pino({ level: "debug" }, stream) };
}

describe("installCrd (against a stand-in server)", () => {
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

  it("gives up with a Timeout that names the CRD and its last conditions", async () => {
    fake.handler = (req, res) =>
      json(res, 200, {
        ...widgetsCrd(),
        status: {
          conditions: [
            { type: "NamesAccepted", status: "True" },
            { type: "Established", status: "False", message: "not yet" },
          ],
        },
      });
    const { logger, lines } = capture();
    await assert.rejects(
      installCrd(client, widgetsCrd(), { logger, timeoutMs: 300, pollIntervalMs: 20 }),
      (e: unknown) => {
        assert.ok(e instanceof KubeError);
        assert.equal(e.code, "Timeout");
        assert.equal(e.exitCode, 4);
        assert.match(e.message, /CRD widgets\.example\.com was not established within 300ms/);
        assert.match(e.message, /Established=False \(not yet\)/);
        return true;
      },
    );
    assert.equal(fake.requests(crdPath).filter((r) => r.method === "PATCH").length, 1);
    assert.deepEqual(lines, [], "a CRD 1.20 fully supports is installed without warnings");
  });

  it("fails at once with Conflict when the server refuses the CRD's names", async () => {
    fake.handler = (_req, res) =>
      json(res, 200, {
        ...widgetsCrd(),
        status: {
          conditions: [
            {
              type: "NamesAccepted",
              status: "False",
              reason: "ListKindConflict",
              message: '"WidgetList" is already in use',
            },
          ],
        },
      });
    const { logger } = capture();
    await assert.rejects(
      installCrd(client, widgetsCrd(), { logger, timeoutMs: 5000 }),
      (e: unknown) =>
        e instanceof KubeError &&
        e.code === "Conflict" &&
        /WidgetList" is already in use/.test(e.message),
    );
  });
});
