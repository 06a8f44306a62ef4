import { readFile } from "node:fs/promises";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import type { Plugin } from "vite";
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

// standardwebhooks (the tests' independent verifier of our signatures) ships source maps that
// point to its src/*.ts, which the package does not include, so Vite warned "Sourcemap for …
// points to missing source files" whenever it transformed it afresh (every CI run). Its files
// are loaded without their map comment: there is nothing to map them to.
const standardwebhooksWithoutMaps: Plugin = {
  name: "standardwebhooks-without-source-maps",
  enforce: "pre",
  async load(id) {
    const file = id.split("?")[0]!;
    if (!/\/node_modules\/standardwebhooks\/dist\/[^/]+\.js$/.test(file)) return null;
    const code = await readFile(file, "utf8");
    return { code: code.replace(/\/\/# sourceMappingURL=\S+\s*$/, ""), map: null };
  },
};

const worker = (bindings: Record<string, string>) => [
  cloudflareTest({
    wrangler: { configPath: "./wrangler.toml" },
    miniflare: { bindings },
  }),
  standardwebhooksWithoutMaps,
];

export default defineConfig({
  test: {
    // Vitest's performance hints (e.g. "faster with isolate: false") end every run, CI's too.
    // Each test file keeps its own Worker on purpose (fresh module state and storage per file).
    experimental: { diagnostics: false },
    // The Worker's routine lines (refusals, webhook retries) are what the tests provoke on purpose.
    onConsoleLog: (text) => (isExpectedLog(text) ? false : undefined),
    projects: [
      {
        plugins: worker(TEST_BINDINGS),
        test: {
          name: "core",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...WEBHOOK_ONLY_TESTS, "test/node/**"],
        },
      },
      // Tests of build-time and browser code (openapi.json, the console's pure modules): plain Node.
      { test: { name: "node", include: ["test/node/**/*.test.ts"], environment: "node" } },
      // The same Worker with webhook subscribers configured (test/support/webhook-config.ts).
      ...WEBHOOK_PROJECTS.map((p) => ({ plugins: worker(p.bindings), test: { name: p.name, include: p.include } })),
    ],
  },
});
