// Builds the static assets the Worker serves (wrangler.toml [assets]): the operator console
// under /console/ and /openapi.json. wrangler dev and wrangler deploy run it through the
// [build] command, `npm test` through pretest; the output (build/assets/) is not committed.
//
//   npm run build            build once and print the console's gzip size
import { build } from "esbuild";
import { copyFile, mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fail, readCommandLine } from "./lib/cli.ts";

readCommandLine({
  name: "npm run build",
  usage: `usage: npm run build

Builds the console and openapi.json into build/assets/ and prints the console's gzip size
(npm start, npm test and deploy run it for you).`,
  options: {},
});

const root = new URL("..", import.meta.url).pathname;
const out = join(root, "build/assets");
const consoleOut = join(out, "console");

/** The console's assets may not exceed this, gzip-compressed (docs/CONSOLE.md). */
export const CONSOLE_BUDGET_BYTES = 100 * 1024;

await rm(out, { recursive: true, force: true });
await mkdir(consoleOut, { recursive: true });

await build({
  entryPoints: { main: join(root, "console/src/main.ts"), style: join(root, "console/style.css") },
  outdir: consoleOut,
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  legalComments: "none",
  logLevel: "warning",
});
for (const name of ["index.html", "favicon.svg"]) await copyFile(join(root, "console", name), join(consoleOut, name));
await copyFile(join(root, "console/_headers"), join(out, "_headers"));

// The OpenAPI document is generated from the endpoints' own zod schemas. It is built here,
// not in the Worker, so the JSON Schema generator never counts against the Worker's size.
const bundled = await build({
  entryPoints: [join(root, "src/openapi/document.ts")],
  bundle: true,
  write: false,
  format: "esm",
  platform: "neutral",
  logLevel: "warning",
});
const module = await import(
  `data:text/javascript;base64,${Buffer.from(bundled.outputFiles[0]!.contents).toString("base64")}`
);
await writeFile(join(out, "openapi.json"), `${JSON.stringify(module.openApiDocument(), null, 2)}\n`);

let gzipped = 0;
for (const name of await readdir(consoleOut)) {
  const path = join(consoleOut, name);
  if ((await stat(path)).isFile()) gzipped += gzipSync(readFileSync(path), { level: 9 }).length;
}
const kib = (gzipped / 1024).toFixed(1);
if (gzipped > CONSOLE_BUDGET_BYTES) {
  fail(`console assets are ${kib} KiB gzip, over the ${CONSOLE_BUDGET_BYTES / 1024} KiB budget (docs/CONSOLE.md)`);
}
console.log(`built build/assets: console ${kib} KiB gzip, openapi.json`);
