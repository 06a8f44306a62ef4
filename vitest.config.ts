import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { configDefaults, defineConfig } from "vitest/config";
import { TEST_BINDINGS } from "./test/support/bindings.ts";
import { WEBHOOK_ONLY_TESTS, WEBHOOK_PROJECTS } from "./test/support/webhook-config.ts";

const worker = (bindings: Record<string, string>) =>
  cloudflareTest({ wrangler: { configPath: "./wrangler.toml" }, miniflare: { bindings } });

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [worker(TEST_BINDINGS)],
        test: {
          name: "core",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...WEBHOOK_ONLY_TESTS, "test/node/**"],
        },
      },
      // Tests of build-time and browser code (openapi.json, the console's pure modules): plain Node.
      { test: { name: "node", include: ["test/node/**/*.test.ts"], environment: "node" } },
      // The same Worker with webhook subscribers configured (test/support/webhook-config.ts).
      ...WEBHOOK_PROJECTS.map((p) => ({ plugins: [worker(p.bindings)], test: { name: p.name, include: p.include } })),
    ],
  },
});
