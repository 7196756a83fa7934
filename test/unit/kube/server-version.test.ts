import assert from "node:assert/strict";
import { BindopsError } from "../../../src/core/errors.js";
import { parseServerVersion, versionAtLeast } from "../../../src/kube/server-version.js";

describe("parseServerVersion", () => {
  const cases: [string, number, number, number][] = [
    ["v1.20.2", 1, 20, 2],
    ["v1.29.3-gke.100", 1, 29, 3],
    ["1.31.0+k3s1", 1, 31, 0],
    ["v1.30.1-eks-1234567", 1, 30, 1],
    ["v1.33", 1, 33, 0],
  ];
  for (const [text, major, minor, patch] of cases) {
    it(`reads ${text}`, () => {
      const v = parseServerVersion(text);
      assert.deepEqual([v.major, v.minor, v.patch], [major, minor, patch]);
      assert.equal(v.gitVersion, text);
    });
  }

  it("reads a /version body, preferring gitVersion over decorated major/minor", () => {
    const v = parseServerVersion({ major: "1", minor: "20+", gitVersion: "v1.20.15-eks-abc" });
    assert.deepEqual([v.major, v.minor, v.patch], [1, 20, 15]);
  });

  it('falls back to major and minor like "20+" when gitVersion says nothing', () => {
    const dev = parseServerVersion({
      major: "1",
      minor: "27+",
      gitVersion: "v0.0.0-master+$Format:%H$",
    });
    assert.deepEqual([dev.major, dev.minor], [1, 27]);
    const bare = parseServerVersion({ major: "1", minor: "20+", gitVersion: "" });
    assert.deepEqual([bare.major, bare.minor, bare.gitVersion], [1, 20, "v1.20"]);
  });

  it("refuses something that is not a version", () => {
    assert.throws(
      () => parseServerVersion("latest"),
      (e: unknown) => e instanceof BindopsError && e.code === "server-version",
    );
  });

  it("compares minors", () => {
    const v = parseServerVersion("v1.25.0");
    assert.equal(versionAtLeast(v, 1, 25), true);
    assert.equal(versionAtLeast(v, 1, 26), false);
    assert.equal(versionAtLeast(parseServerVersion("v2.0.0"), 1, 31), true);
  });
});
