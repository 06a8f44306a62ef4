// Watches users live over a WebSocket and prints every message, one JSON line each:
// a snapshot per account first, then each event as it is stored (docs/WATCH.md).
//
//   npm run watch -- alice bob                  # the demo configuration of `npm start`
//   npm run watch -- alice --url https://presence.example.com --app 1400000000 --api-token …
//
// Type `+carol` or `-bob` and Enter to subscribe or unsubscribe while it runs.
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: "string", default: "http://127.0.0.1:8787" },
    app: { type: "string", default: "1400000000" },
    "api-token": { type: "string", default: "demo-api-token" },
  },
});
if (positionals.length === 0) {
  console.error("usage: npm run watch -- <account> [account…] [--url URL] [--app SDKAppID] [--api-token TOKEN]");
  process.exit(2);
}

const url = `${values.url.replace(/^http/, "ws")}/v1/apps/${values.app}/watch`;
// Node's WebSocket (undici) takes headers, so a server needs no watch token; a browser does.
const init = { headers: { authorization: `Bearer ${values["api-token"]}` } };
const ws = new WebSocket(url, init as unknown as string[]);
const send = (type: "subscribe" | "unsubscribe", accounts: string[]) => ws.send(JSON.stringify({ type, accounts }));

ws.addEventListener("open", () => send("subscribe", positionals));
ws.addEventListener("message", (e) => console.log(e.data));
ws.addEventListener("close", (e) => {
  console.error(`closed: ${e.code} ${e.reason}`);
  process.exit(e.code === 1000 ? 0 : 1);
});
ws.addEventListener("error", () => console.error(`could not watch at ${url} (is the Worker running?)`));

createInterface({ input: process.stdin }).on("line", (line) => {
  const accounts = line
    .slice(1)
    .split(/[\s,]+/)
    .filter(Boolean);
  if (line.startsWith("+") && accounts.length > 0) send("subscribe", accounts);
  else if (line.startsWith("-") && accounts.length > 0) send("unsubscribe", accounts);
});
