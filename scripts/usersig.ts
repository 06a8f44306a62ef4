// Prints a UserSig (TLS-Sig v2) for the IM app admin, made with the Worker's own signer
// (src/tencent/rest/usersig.ts), for trying Tencent-style REST calls against the local demo
// (`--help` for the options). The key comes from the env file (IM_SECRET_KEY or IM_SECRET_KEY_<SDKAppID>) or the
// environment; only the ticket is printed, never the key.
import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { signUserSig } from "../src/tencent/rest/usersig.ts";
import { fail, intOption, readCommandLine } from "./lib/cli.ts";

const { values } = readCommandLine({
  name: "npm run usersig",
  usage: `usage: npm run -s usersig -- [options]     (-s: only the UserSig, for $(…))

Prints a UserSig for the IM app's admin, signed with the app's secret key.

options:
  --env-file FILE     where the key is (default demo.env, then IM_* of the environment)
  --app ID            SDKAppID (default the first of IM_SDKAPPIDS)
  --identifier NAME   the admin account (default IM_ADMIN_IDENTIFIER, else administrator)
  --expire SECONDS    how long the UserSig is valid (default 86400)
  -h, --help`,
  options: {
    "env-file": { type: "string", default: "demo.env" },
    app: { type: "string" },
    identifier: { type: "string" },
    expire: { type: "string", default: "86400" },
  },
});

const file = values["env-file"];
const settings: Record<string, string | undefined> = {
  ...(existsSync(file) ? parseEnv(readFileSync(file, "utf8")) : {}),
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("IM_"))),
};
const app = values.app ?? (settings.IM_SDKAPPIDS ?? "").split(",")[0]?.trim() ?? "";
const identifier = values.identifier ?? ((settings.IM_ADMIN_IDENTIFIER ?? "").trim() || "administrator");
const key = (settings[`IM_SECRET_KEY_${app}`] ?? settings.IM_SECRET_KEY ?? "").trim();
if (app === "" || key === "") {
  fail(`need an SDKAppID and its secret key: set IM_SDKAPPIDS and IM_SECRET_KEY in ${file} or the environment`);
}
const expire = intOption("expire", values.expire, 1);
console.log(await signUserSig(key, app, identifier, Math.floor(Date.now() / 1000), expire));
