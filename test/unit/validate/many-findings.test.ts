import assert from "node:assert/strict";
import { readFolderSnapshot } from "../../../src/git/read-folder-snapshot.js";
import { validate } from "../../../src/validate/validate.js";
import { tempRepo } from "../manifests/temp-repo.js";

describe("validate: a repository with very many findings", () => {
  it("reports 200,000 findings of one document without overflowing the stack", async function () {
    // Heavy by design (a stack overflow needs that many): minutes on a busy CI machine.
    this.timeout(240_000);
    const count = 200_000;
    const data = Array.from({ length: count }, (_, i) => `  k${i}: yes\n`).join("");
    const repo = tempRepo({
      "cm.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: n}\ndata:\n${data}`,
    });
    try {
      const report = await validate(readFolderSnapshot(repo.root), { toolVersion: "test" });
      assert.ok(report.findings.length >= count, String(report.findings.length));
    } finally {
      repo.remove();
    }
  });
});
