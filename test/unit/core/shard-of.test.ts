import assert from "node:assert/strict";
import { bindingShardKey, shardOf } from "../../../src/core/shard-of.js";

describe("shardOf: which replica's shard a binding is in", () => {
  const keys = Array.from({ length: 3000 }, (_, i) => bindingShardKey("consumer", `binding-${i}`));

  it("is the same for the same key and count, wherever it is computed", () => {
    assert.equal(shardOf("consumer/orders-db", 3), shardOf("consumer/orders-db", 3));
    assert.equal(shardOf("anything", 1), 0);
  });

  it("spreads keys evenly over the shards", () => {
    const counts = [0, 0, 0];
    for (const key of keys) counts[shardOf(key, 3)]!++;
    for (const count of counts) assert.ok(count > 900 && count < 1100, counts.join(", "));
  });

  it("moves only the keys of the new shard when one is added, as consistent hashing does", () => {
    let moved = 0;
    for (const key of keys) {
      const before = shardOf(key, 3);
      const after = shardOf(key, 4);
      if (after !== before) {
        moved++;
        assert.equal(after, 3, `${key} moved between old shards`);
      }
    }
    assert.ok(moved > 600 && moved < 900, `${moved} of 3000 moved (about a quarter)`);
  });

  it("refuses a count that is not a whole number of at least one", () => {
    assert.throws(() => shardOf("k", 0), RangeError);
    assert.throws(() => shardOf("k", 1.5), RangeError);
  });
});
