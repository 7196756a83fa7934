import type { Context } from "mocha";
import { stopClusters } from "./clusters.js";

/**
 * Mocha root hooks (register with `require` in .mocharc.json): once every test has run, stop the
 * shared local clusters, if any test started them.
 */
export const mochaHooks = {
  async afterAll(this: Context): Promise<void> {
    this.timeout(60_000);
    await stopClusters();
  },
};
