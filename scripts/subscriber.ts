// A local webhook subscriber for the demo: receives presence-edge's deliveries, verifies each
// one with the `standardwebhooks` library (as a real subscriber should), and prints it.
//
// The default secret is the demo subscriber's, from demo.env. Verified deliveries are answered
// 204; a delivery that fails verification is answered 401 and printed as rejected. `--help`
// for the options.
import { createServer } from "node:http";
import { Webhook } from "standardwebhooks";
import { fail, intOption, listenOrFail, readCommandLine } from "./lib/cli.ts";

const DEMO_SECRET = "whsec_ZGVtby1zdWJzY3JpYmVyLXNlY3JldC0wMTIzNDU2Nzg5";

const { values } = readCommandLine({
  name: "npm run subscriber",
  usage: `usage: npm run subscriber -- [options]

options:
  --port N         port to listen on (default 8788, where demo.env's WEBHOOK_SUBSCRIBERS points)
  --host HOST      address to listen on (default 127.0.0.1)
  --path PATH      the deliveries' path (default /webhooks)
  --secret whsec_… the subscriber's secret (default $WEBHOOK_SECRET, else the demo's)
  --status N       answer every delivery with this status (default 204; 503 to watch the retries)
  -h, --help`,
  options: {
    port: { type: "string", default: "8788" },
    host: { type: "string", default: "127.0.0.1" },
    path: { type: "string", default: "/webhooks" },
    secret: { type: "string", default: process.env.WEBHOOK_SECRET ?? DEMO_SECRET },
    status: { type: "string", default: "204" },
  },
});

const port = intOption("port", values.port, 0);
const answer = intOption("status", values.status, 200);
if (answer > 599) fail(`--status must be an HTTP status (200 to 599), got ${answer}`, 2);
let webhook: Webhook;
try {
  webhook = new Webhook(values.secret);
} catch (error) {
  fail(`--secret is not a webhook secret (whsec_ and base64): ${(error as Error).message}`, 2);
}
const seen = new Set<string>();

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (req.method !== "POST" || url.pathname !== values.path) {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
    let event: { type: string; timestamp: string; data: Record<string, any> };
    try {
      event = webhook.verify(body, headers) as typeof event;
    } catch (error) {
      console.log(`✗ rejected ${headers["webhook-id"] ?? "(no id)"}: ${(error as Error).message}`);
      res.writeHead(401).end();
      return;
    }
    const id = headers["webhook-id"]!;
    const repeat = seen.has(id) ? " (retry of a message already seen)" : "";
    seen.add(id);
    const { app, account, seq, snapshot, ...fields } = event.data;
    console.log(
      `✓ ${event.timestamp} ${event.type} ${app}:${account} seq=${seq} ${JSON.stringify(fields)} → user ${snapshot?.status}${repeat}`,
    );
    console.log(`  ${id}  answered ${answer}`);
    res.writeHead(answer).end();
  });
});

// A second subscriber (or anything else) on the port: say so and how to choose another.
await listenOrFail(
  server,
  port,
  values.host,
  "another `npm run subscriber`? Stop that one, or choose another port: npm run subscriber -- --port 8798, " +
    "and point the Worker's WEBHOOK_SUBSCRIBERS url at it (demo.env for `npm start`)",
);
console.log(`webhook subscriber on http://${values.host}:${port}${values.path} (verifying with standardwebhooks)`);
