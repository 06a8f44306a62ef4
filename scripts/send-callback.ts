// Signs and sends one State.StateChange callback, as Tencent IM would, and prints the reply.
//
//   npm run send -- alice Login IOS [--kicked Windows,Android] [--reason Register]
//   npm run send -- alice CustomStatusChange IOS --status "in a meeting"
//
// Defaults to the local demo configuration of `npm start`.
import { parseArgs } from "node:util";
import { type Action, sendCallback } from "./lib/tencent-client.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: "string", default: "http://127.0.0.1:8787" },
    app: { type: "string", default: "1400000000" },
    token: { type: "string", default: "demo-callback-token" },
    kicked: { type: "string", default: "" },
    reason: { type: "string" },
    status: { type: "string" },
    "event-time": { type: "string" },
    "client-ip": { type: "string", default: "203.0.113.7" },
  },
});

const [account, action = "Login", platform = "IOS"] = positionals;
if (account === undefined) {
  console.error("usage: npm run send -- <account> [Login|Logout|Disconnect|CustomStatusChange] [platform] [options]");
  process.exit(2);
}

const result = await sendCallback(
  { url: values.url, app: values.app, token: values.token === "" ? null : values.token },
  {
    account,
    action: action as Action,
    platform,
    reason: values.reason,
    eventTime: values["event-time"] === undefined ? Date.now() : Number(values["event-time"]),
    clientIp: values["client-ip"],
    kicked: values.kicked === "" ? [] : values.kicked.split(","),
    customStatus: values.status,
  },
);
console.log(`${result.status} ${result.body}`);
process.exit(result.status === 200 ? 0 : 1);
