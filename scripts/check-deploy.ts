// `npm run deploy` runs this first (predeploy): it refuses to upload a Worker that would answer
// 503 to every request because IM_SDKAPPIDS is empty in wrangler.toml, and says how to fix it.
// Nothing is uploaded when it fails. Secrets cannot be read from here: see the README's Deploy.
import { readFileSync } from "node:fs";

const TOML = new URL("../wrangler.toml", import.meta.url);

/** The value of `name` in the top-level [vars] table, when written as a basic "string". */
function topLevelVar(toml: string, name: string): string | null {
  let inVars = false;
  for (const raw of toml.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("[")) inVars = line === "[vars]";
    const m = inVars ? new RegExp(`^${name}\\s*=\\s*"([^"]*)"`).exec(line) : null;
    if (m) return m[1]!;
  }
  return null;
}

const appIds = topLevelVar(readFileSync(TOML, "utf8"), "IM_SDKAPPIDS");
const ids = (appIds ?? "")
  .split(",")
  .map((s) => s.trim())
  .filter((s) => s !== "");
const problem =
  appIds === null
    ? 'IM_SDKAPPIDS is not set as a plain string in wrangler.toml [vars] (IM_SDKAPPIDS = "…")'
    : ids.length === 0
      ? "IM_SDKAPPIDS is empty in wrangler.toml [vars]"
      : ids.some((id) => !/^\d{1,20}$/.test(id))
        ? "IM_SDKAPPIDS in wrangler.toml [vars] holds something that is not an SDKAppID (digits only)"
        : null;

if (problem !== null) {
  console.error(`Refusing to deploy: ${problem}.
A Worker deployed like this answers 503 on /healthz and 500 to every callback.
Fix: put your app's SDKAppID(s) in wrangler.toml, e.g.

  [vars]
  IM_SDKAPPIDS = "1400000000"        # comma-separated for several apps

then run \`npm run deploy\` again. Nothing was uploaded.`);
  process.exit(1);
}
console.log(`deploy check: IM_SDKAPPIDS = ${ids.join(", ")}`);
