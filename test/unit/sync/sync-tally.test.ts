import assert from "node:assert/strict";
import { SyncTally } from "../../../src/sync/sync-tally.js";

const claims = "databases/claim/secrets.core";

describe("SyncTally", () => {
  it("counts the objects in each state, each object once", () => {
    const tally = new SyncTally();
    tally.set(`${claims} Secret team-a/a`, "synced");
    tally.set(
      `${claims} Secret team-a/b`,
      "pending",
      "waiting for the provider to assign a namespace",
    );
    tally.set(`${claims} Secret team-a/c`, "pending");
    tally.set(`${claims} Secret team-a/c`, "synced");
    assert.deepEqual(tally.counts(), { synced: 2, pending: 1, conflicted: 0, conflicts: [] });
  });

  it("forgets a removed object", () => {
    const tally = new SyncTally();
    tally.set(`${claims} Secret team-a/a`, "conflicted", "exists");
    tally.forget(`${claims} Secret team-a/a`);
    assert.deepEqual(tally.counts(), { synced: 0, pending: 0, conflicted: 0, conflicts: [] });
  });

  it("names the first five conflicts, in order, as kind namespace/name: why", () => {
    const tally = new SyncTally();
    for (const name of ["g", "f", "e", "d", "c", "b", "a"]) {
      tally.set(`${claims} Secret team-a/${name}`, "conflicted", `${name} is taken`);
    }
    tally.set(`${claims} Secret team-a/0`, "conflicted");
    const counts = tally.counts();
    assert.equal(counts.conflicted, 8);
    assert.deepEqual(counts.conflicts, [
      "Secret team-a/0: conflict",
      "Secret team-a/a: a is taken",
      "Secret team-a/b: b is taken",
      "Secret team-a/c: c is taken",
      "Secret team-a/d: d is taken",
    ]);
  });

  it("forgets a stopped syncer's objects and no other syncer's", () => {
    const tally = new SyncTally();
    tally.set("databases/widgets team-a/a", "synced");
    tally.set("databases/widgets team-a/b", "pending");
    tally.set("databases/widgets2 team-a/a", "synced");
    tally.forgetPrefix("databases/widgets ");
    assert.deepEqual(tally.counts(), { synced: 1, pending: 0, conflicted: 0, conflicts: [] });
  });

  it("tells its listener of changes only", () => {
    const tally = new SyncTally();
    let calls = 0;
    tally.onChange(() => calls++);
    tally.set("s team-a/a", "pending", "waiting");
    assert.equal(calls, 1);
    tally.set("s team-a/a", "pending", "waiting");
    assert.equal(calls, 1, "the same state again");
    tally.set("s team-a/a", "pending", "still waiting");
    assert.equal(calls, 2, "another reason");
    tally.set("s team-a/a", "synced");
    assert.equal(calls, 3, "another state");
    tally.forget("s team-a/unknown");
    tally.forgetPrefix("other ");
    assert.equal(calls, 3, "nothing to forget");
    tally.forget("s team-a/a");
    assert.equal(calls, 4);
    tally.set("s team-a/b", "synced");
    tally.set("s team-a/c", "synced");
    tally.forgetPrefix("s ");
    assert.equal(calls, 7, "one call for a whole syncer");
  });
});
