import assert from "node:assert/strict";
import {
  kubeconfigOfResponse,
  parseGoDuration,
  responseSecret,
  responseSecretRef,
  type BindableRequest,
} from "../../../src/backend/bindable-request.js";

const request = (spec: Partial<BindableRequest["spec"]> = {}): BindableRequest => ({
  apiVersion: "kube-bind.io/v1alpha2",
  kind: "BindableResourcesRequest",
  metadata: { name: "shop", namespace: "kube-bind", uid: "u-1" },
  spec: { author: "alice", clusterIdentity: { identity: "id" }, ...spec },
});

describe("BindableResourcesRequest answers, as kube-bind's backend writes them", () => {
  it("answers in <name>-binding-response unless the request names a Secret (an empty key is kubeconfig)", () => {
    assert.deepEqual(responseSecretRef(request()), {
      name: "shop-binding-response",
      key: "binding-response",
    });
    assert.deepEqual(
      responseSecretRef(request({ kubeconfigSecretRef: { name: "answer", key: "" } })),
      { name: "answer", key: "kubeconfig" },
    );
  });

  it("writes a BindingResourceResponse owned by the request, whose kubeconfig reads back", () => {
    const secret = responseSecret(request(), "apiVersion: v1\nkind: Config\n");
    assert.equal(secret.metadata.namespace, "kube-bind");
    assert.deepEqual(secret.metadata.ownerReferences?.[0], {
      apiVersion: "kube-bind.io/v1alpha2",
      kind: "BindableResourcesRequest",
      name: "shop",
      uid: "u-1",
      controller: true,
    });
    const value = (secret.data as Record<string, string>)["binding-response"]!;
    const json = JSON.parse(Buffer.from(value, "base64").toString("utf8")) as Record<
      string,
      string
    >;
    assert.equal(json.kind, "BindingResourceResponse");
    assert.equal(json.apiVersion, "kube-bind.io/v1alpha2");
    assert.equal(kubeconfigOfResponse(value), "apiVersion: v1\nkind: Config\n");
    assert.equal(kubeconfigOfResponse(Buffer.from("not json").toString("base64")), undefined);
  });

  it("reads ttlAfterFinished as Go writes durations", () => {
    assert.equal(parseGoDuration("300s"), 300_000);
    assert.equal(parseGoDuration("1h30m"), 5_400_000);
    assert.equal(parseGoDuration("1.5h"), 5_400_000);
    assert.equal(parseGoDuration("250ms"), 250);
    assert.equal(parseGoDuration("10"), undefined);
    assert.equal(parseGoDuration("1 day"), undefined);
  });
});
