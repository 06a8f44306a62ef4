// Prints a UserSig (TLS-Sig v2) for the IM app admin, made with the Worker's own signer
// (src/tencent/rest/usersig.ts), for trying Tencent-style REST calls against the local demo:
//
//   npm run usersig -- [--env-file demo.env] [--app 1400000000] [--identifier administrator] [--expire 86400]
//
// The key comes from the env file (IM_SECRET_KEY or IM_SECRET_KEY_<SDKAppID>) or the
// environment; only the ticket is printed, never the key.
import { existsSync, readFileSync } from "node:fs";
import { parseArgs, parseEnv } from "node:util";
import { signUserSig } from "../src/tencent/rest/usersig.ts";

const { values } = parseArgs({
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
  console.error(
    `Need an SDKAppID and its secret key: set IM_SDKAPPIDS and IM_SECRET_KEY in ${file} or the environment.`,
  );
  process.exit(1);
}
console.log(await signUserSig(key, app, identifier, Math.floor(Date.now() / 1000), Number(values.expire)));
