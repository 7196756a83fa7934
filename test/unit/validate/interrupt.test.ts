import assert from "node:assert/strict";
import { readFolderSnapshot } from "../../../src/git/read-folder-snapshot.js";
import { validate } from "../../../src/validate/validate.js";
import { tempRepo } from "../manifests/temp-repo.js";

const configMaps = (file: number) =>
  Array.from(
    { length: 20 },
    (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-${file}-${i}, namespace: a}\n`,
  ).join("---\n");

describe("validate: stopped by its signal", () => {
  it("gives the event loop a turn while it runs, and rejects once the signal is aborted", async () => {
    const files = Object.fromEntries(
      Array.from({ length: 50 }, (_, f) => [`f${f}.yaml`, configMaps(f)]),
    );
    const repo = tempRepo(files);
    try {
      const snapshot = readFolderSnapshot(repo.root);
      const controller = new AbortController();
      // As a signal handler does: it runs only when validation lets the event loop turn.
      setImmediate(() => controller.abort(new Error("interrupted by SIGINT")));
      await assert.rejects(
        validate(snapshot, { toolVersion: "test", signal: controller.signal, sliceMs: 0 }),
        /interrupted by SIGINT/,
      );
      // Not aborted, the same run completes.
      const report = await validate(snapshot, { toolVersion: "test", sliceMs: 0 });
      assert.equal(report.documents, 1000);
    } finally {
      repo.remove();
    }
  });
});
