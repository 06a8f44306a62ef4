// Watches users live over a WebSocket (docs/WATCH.md) and prints each message as a readable
// line: a snapshot per account first, then each change as it is stored. `--json` prints the
// raw messages instead, one JSON line each. Type `+carol` or `-bob` and Enter to subscribe or
// unsubscribe while it runs; `--help` for the options.
import { createInterface } from "node:readline";
import { fail, readCommandLine } from "./lib/cli.ts";
import { watchLine } from "./lib/presence-text.ts";

const { values, positionals } = readCommandLine({
  name: "npm run watch",
  positionals: true,
  usage: `usage: npm run watch -- <account> [account…] [options]

While it runs, type a line and Enter:
  +carol [dave…]     watch these accounts too (their snapshots follow)
  -bob [carol…]      stop watching these accounts

options:
  --url URL          the Worker (default http://127.0.0.1:8787, as npm start serves it)
  --app ID           SDKAppID (default 1400000000)
  --api-token TOKEN  read API token (default demo-api-token)
  --json             print the raw messages, one JSON line each
  -h, --help

examples:
  npm run watch -- alice bob
  npm run watch -- alice --url https://presence.example.com --app 1400000000 --api-token …`,
  options: {
    url: { type: "string", default: "http://127.0.0.1:8787" },
    app: { type: "string", default: "1400000000" },
    "api-token": { type: "string", default: "demo-api-token" },
    json: { type: "boolean", default: false },
  },
});
if (positionals.length === 0) fail("which accounts? e.g. npm run watch -- alice bob (--help for more)", 2);

const url = `${values.url.replace(/^http/, "ws")}/v1/apps/${values.app}/watch`;
// Node's WebSocket (undici) takes headers, so a server needs no watch token; a browser does.
const init = { headers: { authorization: `Bearer ${values["api-token"]}` } };
const ws = new WebSocket(url, init as unknown as string[]);
const send = (type: "subscribe" | "unsubscribe", accounts: string[]) => ws.send(JSON.stringify({ type, accounts }));
let opened = false;
/** What this tool says itself goes to stderr, so stdout holds only the messages (e.g. with --json). */
const note = (text: string) => console.error(text);

ws.addEventListener("open", () => {
  opened = true;
  note(`watching ${positionals.join(", ")} at ${values.url} (type +account or -account and Enter to change)`);
  send("subscribe", positionals);
});
ws.addEventListener("message", (e) => console.log(values.json ? e.data : watchLine(String(e.data))));
ws.addEventListener("close", (e) => {
  if (!opened) fail(`could not watch at ${url}: is the Worker running (npm start), and the --api-token right?`);
  note(`the Worker closed the connection: ${e.code} ${e.reason}`);
  process.exit(e.code === 1000 ? 0 : 1);
});

createInterface({ input: process.stdin }).on("line", (line) => {
  const text = line.trim();
  const accounts = text
    .slice(1)
    .split(/[\s,]+/)
    .filter(Boolean);
  if (text === "") return;
  if ((text.startsWith("+") || text.startsWith("-")) && accounts.length > 0 && ws.readyState === WebSocket.OPEN) {
    const subscribe = text.startsWith("+");
    send(subscribe ? "subscribe" : "unsubscribe", accounts);
    note(
      subscribe ? `watching ${accounts.join(", ")} too (snapshots follow)` : `stopped watching ${accounts.join(", ")}`,
    );
  } else if (ws.readyState !== WebSocket.OPEN) {
    note("not connected yet: try again in a moment");
  } else {
    note(`${JSON.stringify(text)} is not a command: +account to watch it too, -account to stop (Ctrl-C quits)`);
  }
});
