// Browser tests (test/e2e/): Debian's Chromium, driven by playwright-core, against the Worker
// run locally by `wrangler dev`. Separate from vitest.config.ts so `npm test` needs no browser.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.ts"],
    environment: "node",
    // One Worker and one browser for the whole run, shared by the tests in turn.
    fileParallelism: false,
    // Starting wrangler dev builds the assets and boots workerd: on a busy 2-core machine
    // that alone can take a minute or more.
    hookTimeout: 240_000,
    // A browser step waits on conditions (auto-waiting locators, expect.poll); a test's
    // ceiling only bounds a broken one.
    testTimeout: 120_000,
  },
});
