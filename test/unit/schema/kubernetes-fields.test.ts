import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { kubernetesFieldTable, tableFile } from "../../../scripts/kubernetes-field-table.mjs";

describe("the table of built-in kinds' fields", () => {
  it("is what the installed kubernetes-models declares (run scripts/kubernetes-field-table.mjs after upgrading it)", function () {
    this.timeout(30_000);
    const committed = JSON.parse(readFileSync(tableFile, "utf8")) as unknown;
    assert.deepEqual(committed, kubernetesFieldTable());
  });
});
