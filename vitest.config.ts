import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { configDefaults, defineConfig } from "vitest/config";
import { TEST_BINDINGS } from "./test/support/bindings.ts";
import { isExpectedLog, isInjectedFaultReport } from "./test/support/expected-output.ts";
import { WEBHOOK_ONLY_TESTS, WEBHOOK_PROJECTS } from "./test/support/webhook-config.ts";

// The pool prints workerd's own reports (an exception thrown out of a Durable Object call is one
// "uncaught exception …" write, stack included) straight to the terminal, with no hook to filter
// them. The faults the tests inject on purpose are dropped there; any other report is printed.
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) =>
    isInjectedFaultReport(String(chunk)) ? true : write(chunk, ...rest)) as typeof stream.write;
}

const worker = (bindings: Record<string, string>) =>
  cloudflareTest({
    wrangler: { configPath: "./wrangler.toml" },
    miniflare: { bindings },
  });

export default defineConfig({
  test: {
    // The Worker's routine lines (refusals, webhook retries) are what the tests provoke on purpose.
    onConsoleLog: (text) => (isExpectedLog(text) ? false : undefined),
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
