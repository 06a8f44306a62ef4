// Signs and sends one State.StateChange callback, as Tencent IM would, prints the Worker's reply
// and then the user's presence read back from the read API. When the Tencent stand-in runs
// (`npm run tencent`), the account's truth there becomes that presence, so reconciliation
// confirms the login instead of healing it away (scripts/lib/standin-truth.ts).
//
// Defaults to the local demo configuration of `npm start`; `--help` for the options.
import { fail, readCommandLine, reaching } from "./lib/cli.ts";
import { presenceLine, type PresenceSnapshot } from "./lib/presence-text.ts";
import { describeTruth, truthMirror, truthOf } from "./lib/standin-truth.ts";
import { getUser, sendCallback, theWorker, type Action } from "./lib/tencent-client.ts";

const ACTIONS: readonly Action[] = ["Login", "Logout", "Disconnect", "CustomStatusChange"];

const { values, positionals } = readCommandLine({
  name: "npm run send",
  positionals: true,
  usage: `usage: npm run send -- <account> [action] [platform] [options]

  action    ${ACTIONS.join(", ")} (default Login)
  platform  Tencent's OptPlatform: IOS (default), Android, Web, Windows, Mac, iPad, …

options:
  --kicked P,P       Login: the platforms this login kicked offline, e.g. Windows,Android
  --reason R         Tencent's Reason (default per action: Register, Unregister, LinkClose,
                     SetCustomStatus; a Disconnect may also be TimeOut)
  --status TEXT      CustomStatusChange: the custom status ("" clears it)
  --event-time MS    EventTime in Unix milliseconds (default now)
  --client-ip IP     ClientIP (default 203.0.113.7)
  --url URL          the Worker (default http://127.0.0.1:8787, as npm start serves it)
  --app ID           SDKAppID (default 1400000000)
  --token TOKEN      callback token, "" sends it unsigned (default demo-callback-token)
  --api-token TOKEN  read API token, for the presence printed after (default demo-api-token)
  --tencent URL      the Tencent stand-in whose truth follows the presence, when it runs
                     (default http://127.0.0.1:8790, as npm run tencent serves it; "" leaves it alone)
  -h, --help

examples:
  npm run send -- alice Login IOS --kicked Windows
  npm run send -- alice CustomStatusChange IOS --status "in a meeting"
  npm run send -- alice Disconnect IOS --reason TimeOut`,
  options: {
    url: { type: "string", default: "http://127.0.0.1:8787" },
    app: { type: "string", default: "1400000000" },
    token: { type: "string", default: "demo-callback-token" },
    "api-token": { type: "string", default: "demo-api-token" },
    tencent: { type: "string", default: "http://127.0.0.1:8790" },
    kicked: { type: "string", default: "" },
    reason: { type: "string" },
    status: { type: "string" },
    "event-time": { type: "string" },
    "client-ip": { type: "string", default: "203.0.113.7" },
  },
});

const [account, action = "Login", platform = "IOS", extra] = positionals;
if (account === undefined) fail("which account? e.g. npm run send -- alice Login IOS (--help for more)", 2);
if (extra !== undefined) fail(`unexpected ${JSON.stringify(extra)} after the platform (--help for the usage)`, 2);
if (!ACTIONS.includes(action as Action)) {
  fail(`unknown action ${JSON.stringify(action)}: one of ${ACTIONS.join(", ")}`, 2);
}
const eventTime = values["event-time"] === undefined ? Date.now() : Number(values["event-time"]);
if (!Number.isSafeInteger(eventTime) || eventTime < 0) {
  fail(`--event-time must be Unix milliseconds, e.g. ${Date.now()}; got ${JSON.stringify(values["event-time"])}`, 2);
}

const worker = theWorker(values.url);
const result = await reaching(
  worker,
  sendCallback(
    { url: values.url, app: values.app, token: values.token === "" ? null : values.token },
    {
      account,
      action: action as Action,
      platform,
      reason: values.reason,
      eventTime,
      clientIp: values["client-ip"],
      kicked: values.kicked === "" ? [] : values.kicked.split(","),
      customStatus: values.status,
    },
  ),
);
console.log(`${result.status} ${result.body}`);
if (result.status !== 200) process.exit(1);

const read = await reaching(
  worker,
  getUser({ url: values.url, app: values.app, apiToken: values["api-token"] }, account),
);
if (read.status !== 200) {
  fail(`presence not read back: the read API answered ${read.status} ${JSON.stringify(read.json)} (--api-token?)`);
}
const snapshot = read.json as PresenceSnapshot;
console.log(presenceLine(account, snapshot));
if (await truthMirror(values.tencent, values.app).follow({ [account]: snapshot })) {
  console.log(`Tencent stand-in at ${values.tencent} now says the same: ${describeTruth(truthOf(snapshot))}`);
}
