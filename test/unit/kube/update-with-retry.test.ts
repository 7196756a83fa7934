import assert from "node:assert/strict";
import { updateWithRetry } from "../../../src/kube/update-with-retry.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";

const ref = { apiVersion: "v1", kind: "ConfigMap", name: "counter", namespace: "team" };

describe("updateWithRetry", () => {
  it("re-reads and re-applies its change when another writer got there first", async () => {
    const kube = new FakeKubeClient();
    kube.seed({
      ...ref,
      metadata: { name: "counter", namespace: "team" },
      data: { n: "0" },
    });
    let calls = 0;
    const result = await updateWithRetry(kube, ref, (current) => {
      calls += 1;
      const n = Number((current.data as Record<string, string>).n);
      if (calls === 1) {
        // A concurrent writer changes the object between this read and its write.
        void kube.patch(ref, { data: { n: "10" } });
      }
      return { ...current, data: { n: String(n + 1) } };
    });
    assert.equal(calls, 2);
    assert.deepEqual(result.data, { n: "11" }, "the second attempt built on the other write");
  });

  it("writes nothing when the change is already there", async () => {
    const kube = new FakeKubeClient();
    kube.seed({ ...ref, metadata: { name: "counter", namespace: "team" } });
    await updateWithRetry(kube, ref, () => undefined);
    assert.equal(kube.calls.filter((c) => c.startsWith("update")).length, 0);
  });
});
