import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { kubeBindCrdsYaml } from "../../src/schema/kube-bind-crds-yaml.js";
import { repoRoot } from "../support/repo-root.js";

describe("deploy/crds/kube-bind.yaml", () => {
  it("is exactly what `bindops crds` prints today (regenerate with npm run generate:crds)", () => {
    const committed = readFileSync(path.join(repoRoot, "deploy/crds/kube-bind.yaml"), "utf8");
    assert.equal(committed, kubeBindCrdsYaml());
  });
});
